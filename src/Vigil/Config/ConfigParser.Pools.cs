using System.Net;
using System.Net.Sockets;
using Vigil.Balancing;
using Vigil.Balancing.Health;
using YamlDotNet.RepresentationModel;

namespace Vigil.Config;

internal sealed partial class ConfigParser
{
    private static readonly string[] PoolKeys =
        ["scheduler", "backends", "health", "outlier", "slow_start", "connect_timeout", "response_timeout", "retries", "send_proxy"];
    private static readonly string[] BackendKeys = ["address", "weight", "backup", "state"];
    private static readonly string[] HealthKeys =
    [
        "type", "interval", "timeout", "rise", "fall",
        "path", "host", "expect", "expect_body",
        "user", "password_file", "role", "max_lag", "fallback_to_primary",
    ];
    private static readonly string[] HttpOnlyHealthKeys = ["path", "host", "expect", "expect_body"];
    private static readonly string[] MySqlOnlyHealthKeys = ["user", "password_file", "role", "max_lag", "fallback_to_primary"];
    private static readonly string[] OutlierKeys = ["consecutive_failures", "eject_for"];

    private List<PoolConfig> ParsePools(MappingReader root)
    {
        var pools = new List<PoolConfig>();
        if (root.Value("pools") is not { } node) return pools;
        if (node is not YamlMappingNode section)
        {
            _r.Error(node, "pools", $"expected a mapping of pool name to pool, got {ConfigReader.Describe(node)}");
            return pools;
        }
        foreach (var (k, v) in section.Children)
        {
            var name = (k as YamlScalarNode)?.Value ?? "";
            var path = $"pools.{name}";
            if (!ConfigWords.IsName(name))
            {
                _r.Error(k, path, ConfigWords.NameRule);
                continue;
            }
            if (ParsePool(name, v, path, ConfigReader.Line(k)) is { } pool) pools.Add(pool);
        }
        return pools;
    }

    private PoolConfig? ParsePool(string name, YamlNode node, string path, int line)
    {
        var m = _r.Mapping(node, path, PoolKeys, line);
        if (m is null) return null;
        var pool = new PoolOptions { Name = name, Backends = ValueList<BackendOptions>.Empty };
        if (m.Word("scheduler", ConfigWords.Schedulers, "scheduler") is { } scheduler) pool = pool with { Scheduler = scheduler };
        if (m.Require("backends")) pool = pool with { Backends = ValueList<BackendOptions>.From(ParseBackends(m)) };
        MappingReader? healthReader = null, outlierReader = null;
        if (m.Value("health") is not null) pool = pool with { Health = ParseHealth(m, pool.Backends, out healthReader) };
        if ((outlierReader = m.Mapping("outlier", OutlierKeys)) is { } o)
        {
            var outlier = new OutlierOptions();
            if (o.Int("consecutive_failures", 1, 10_000) is { } n) outlier = outlier with { ConsecutiveFailures = n };
            if (Positive(o, "eject_for") is { } t) outlier = outlier with { EjectFor = t };
            pool = pool with { Outlier = outlier };
        }
        if (m.Duration("slow_start") is { } slow) pool = pool with { SlowStart = slow };
        if (Positive(m, "connect_timeout") is { } ct) pool = pool with { ConnectTimeout = ct };
        if (Positive(m, "response_timeout") is { } rt) pool = pool with { ResponseTimeout = rt };
        if (m.Int("retries", 0, 10) is { } retries) pool = pool with { Retries = retries };
        if (m.Word("send_proxy", ConfigWords.ProxyVersions, "PROXY protocol version") is { } proxy) pool = pool with { SendProxy = proxy };
        Library(m, pool.Validate(), name, new Dictionary<string, MappingReader?> { ["health"] = healthReader, ["outlier"] = outlierReader });
        return ConfigLines.At(new PoolConfig { Options = pool }, line);
    }

    private List<BackendOptions> ParseBackends(MappingReader pool)
    {
        var backends = new List<BackendOptions>();
        var seq = pool.Sequence("backends");
        if (seq is null) return backends;
        if (seq.Children.Count == 0) _r.Error(seq, pool.PathOf("backends"), "a pool needs at least one backend");
        var i = 0;
        foreach (var item in seq)
        {
            var path = $"{pool.PathOf("backends")}[{i++}]";
            var backend = item is YamlScalarNode ? ParseBackendShorthand(item, path) : ParseBackend(item, path);
            if (backend is null) continue;
            var twin = backends.FirstOrDefault(b =>
                string.Equals(b.Address, backend.Address, StringComparison.OrdinalIgnoreCase) || b.EndPoint.Equals(backend.EndPoint));
            if (twin is not null)
                _r.Error(ConfigLines.Of(backend), path, $"backend {backend.Address} is listed twice (first at line {ConfigLines.Of(twin)})");
            else backends.Add(backend);
        }
        return backends;
    }

    /// <summary><c>- 127.0.0.1:8081</c>: a backend with every default.</summary>
    private BackendOptions? ParseBackendShorthand(YamlNode item, string path)
    {
        var address = _r.Scalar(item, path, "a backend address");
        if (address is null) return null;
        var ep = ResolveBackend(address, ConfigReader.Line(item), path);
        return ep is null ? null : ConfigLines.At(new BackendOptions(address, ep), ConfigReader.Line(item));
    }

    private BackendOptions? ParseBackend(YamlNode item, string path)
    {
        var m = _r.Mapping(item, path, BackendKeys);
        if (m is null || !m.Require("address")) return null;
        var address = m.String("address");
        var ep = address is null ? null : ResolveBackend(address, m.ValueLine("address"), m.PathOf("address"));
        var weight = m.Int("weight", 1, 256);
        var backup = m.Bool("backup");
        var state = m.Word("state", ConfigWords.BackendStates, "state");
        if (address is null || ep is null) return null;
        return ConfigLines.At(new BackendOptions(address, ep, weight ?? 1, backup ?? false, state ?? Balancing.AdminState.Enabled), m.Line);
    }

    /// <summary>IP literal, <c>localhost</c> (127.0.0.1), or a DNS name resolved now, preferring IPv4 as most backends bind it.</summary>
    private IPEndPoint? ResolveBackend(string address, int line, string path)
    {
        if (!ConfigAddress.TryParseHostPort(address, out var host, out var port, out var error))
        {
            _r.Error(line, path, error);
            return null;
        }
        if (ConfigAddress.TryLiteral(host, out var ip)) return new IPEndPoint(ip, port);
        IPAddress[] found;
        try
        {
            found = _resolve(host);
        }
        catch (Exception ex) when (ex is SocketException or ArgumentException)
        {
            _r.Error(line, path, $"cannot resolve '{host}': {ex.Message}");
            return null;
        }
        var pick = found.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? found.FirstOrDefault();
        if (pick is null)
        {
            _r.Error(line, path, $"cannot resolve '{host}': no address");
            return null;
        }
        return new IPEndPoint(pick, port);
    }

    private HealthCheckOptions? ParseHealth(MappingReader pool, IReadOnlyList<BackendOptions> backends, out MappingReader? reader)
    {
        var m = reader = pool.Mapping("health", HealthKeys);
        if (m is null) return null;
        var h = new HealthCheckOptions();
        if (m.Word("type", ConfigWords.HealthTypes, "health check type") is { } type) h = h with { Kind = type };
        if (Positive(m, "interval") is { } interval) h = h with { Interval = interval };
        // Default timeout 1s, but never as long as a short interval: half of it.
        if (h.Interval <= h.Timeout) h = h with { Timeout = h.Interval / 2 };
        if (Positive(m, "timeout") is { } timeout)
        {
            h = h with { Timeout = timeout };
            if (timeout >= h.Interval)
                _r.Error(m.ValueLine("timeout"), m.PathOf("timeout"),
                    $"timeout ({ConfigDuration.Format(timeout)}) must be shorter than interval ({ConfigDuration.Format(h.Interval)})");
        }
        if (m.Int("rise", 1, 1000) is { } rise) h = h with { Rise = rise };
        if (m.Int("fall", 1, 1000) is { } fall) h = h with { Fall = fall };

        if (h.Kind != HealthCheckKind.Http)
            foreach (var key in HttpOnlyHealthKeys) m.Forbid(key, $"'{key}' applies only to type: http");
        if (h.Kind != HealthCheckKind.MySql)
            foreach (var key in MySqlOnlyHealthKeys) m.Forbid(key, $"'{key}' applies only to type: mysql");

        if (h.Kind == HealthCheckKind.Http)
        {
            if (m.String("path") is { } p)
            {
                if (p.StartsWith('/')) h = h with { Path = p };
                else _r.Error(m.ValueLine("path"), m.PathOf("path"), $"'{p}' must start with '/'");
            }
            if (m.String("host") is { } host) h = h with { Host = host };
            if (m.Value("expect") is { } expectNode && ParseExpect(expectNode, m.PathOf("expect")) is { } range)
                h = h with { ExpectStatusMin = range.Min, ExpectStatusMax = range.Max };
            if (m.String("expect_body") is { } body) h = h with { ExpectBody = body };
        }
        if (h.Kind == HealthCheckKind.MySql)
        {
            // The password lives in a file so the config can be shared and logged (issue 5).
            m.Require("user");
            m.Require("password_file");
            if (m.String("user") is { } user) h = h with { User = user };
            if (m.String("password_file") is { } pw) h = h with { PasswordFile = ResolvePath(pw) };
            if (m.Word("role", ConfigWords.MySqlRoles, "role") is { } role) h = h with { Role = role.Value };
            if (h.Role != ConfigWords.Replica)
            {
                m.Forbid("max_lag", "'max_lag' applies only to role: replica");
                m.Forbid("fallback_to_primary", "'fallback_to_primary' applies only to role: replica");
            }
            else
            {
                if (Positive(m, "max_lag") is { } lag)
                {
                    // Seconds_Behind_Master is whole seconds; a finer max_lag would silently round.
                    if (lag.Ticks % TimeSpan.TicksPerSecond != 0)
                        _r.Error(m.ValueLine("max_lag"), m.PathOf("max_lag"), "replication lag is measured in whole seconds");
                    else h = h with { MaxLag = lag };
                }
                if (m.Bool("fallback_to_primary") is { } fb) h = h with { FallbackToPrimary = fb };
                if (h.FallbackToPrimary && backends.Count > 0 && !backends.Any(b => b.Backup))
                    _r.Error(m.ValueLine("fallback_to_primary"), m.PathOf("fallback_to_primary"),
                        "list the primary in backends with backup: true; reads go to it when every replica is out");
            }
        }
        return h;
    }

    /// <summary><c>200</c>, <c>200-399</c>: an inclusive range of HTTP status codes.</summary>
    private (int Min, int Max)? ParseExpect(YamlNode node, string path)
    {
        var s = _r.Scalar(node, path, "a status or range like 200-399");
        if (s is null) return null;
        var parts = s.Split('-', StringSplitOptions.TrimEntries);
        if (parts.Length is 1 or 2
            && int.TryParse(parts[0], out var min)
            && int.TryParse(parts[^1], out var max)
            && min is >= 100 and <= 599 && max is >= 100 and <= 599 && min <= max)
            return (min, max);
        _r.Error(node, path, $"'{s}' is not a status range: use 200 or 200-399 (codes 100–599, low to high)");
        return null;
    }

    /// <summary>A duration that must be greater than zero.</summary>
    private TimeSpan? Positive(MappingReader m, string key)
    {
        var d = m.Duration(key);
        if (d is { } v && v <= TimeSpan.Zero)
        {
            _r.Error(m.ValueLine(key), m.PathOf(key), "must be greater than 0");
            return null;
        }
        return d;
    }
}
