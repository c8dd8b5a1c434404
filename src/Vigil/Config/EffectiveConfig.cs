using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Vigil.Balancing.Health;

namespace Vigil.Config;

/// <summary>
/// The configuration as it runs: every key of docs/configuration.md with its default filled in, under
/// the same names (`vigil check --effective`, <c>GET /api/config</c>). Secrets never appear: a token or
/// VRRP password prints as <c>&lt;redacted&gt;</c>, and files holding secrets by their path only.
/// Keys whose default is "none" (no health check, no disk store, unlimited) are left out when unset.
/// </summary>
public static partial class EffectiveConfig
{
    public const string Redacted = "<redacted>";

    /// <summary>The effective configuration as a JSON tree (the admin API answers this).</summary>
    public static JsonObject Tree(VigilConfig c)
    {
        var root = new JsonObject
        {
            ["node"] = new JsonObject { ["name"] = c.Node.Name },
            ["admin"] = Admin(c.Admin),
            ["pools"] = Map(c.Pools, p => p.Name, Pool),
            ["listeners"] = new JsonArray(c.Listeners.Select(Listener).ToArray<JsonNode?>()),
            ["caches"] = Map(c.Caches, x => x.Name, Cache),
            ["vrrp"] = new JsonArray(c.Vrrp.Select(Vrrp).ToArray<JsonNode?>()),
        };
        return root;
    }

    /// <summary>The effective configuration as YAML that <c>vigil check</c> accepts again.</summary>
    public static string ToYaml(VigilConfig c)
    {
        var text = new StringBuilder();
        WriteMapping(text, Tree(c), 0);
        return text.ToString();
    }

    private static JsonObject Admin(AdminConfig a)
    {
        var o = new JsonObject { ["listen"] = a.Listen };
        if (a.Token is not null) o["token"] = Redacted;
        if (a.TokenFile is not null) o["token_file"] = a.TokenFile;
        o["metrics_public"] = a.MetricsPublic;
        return o;
    }

    private static JsonObject Pool(PoolConfig pool)
    {
        var p = pool.Options;
        var o = new JsonObject
        {
            ["scheduler"] = Word(ConfigWords.Schedulers, p.Scheduler),
            ["backends"] = new JsonArray(p.Backends.Select(b => (JsonNode?)new JsonObject
            {
                ["address"] = b.Address,
                ["weight"] = b.Weight,
                ["backup"] = b.Backup,
                ["state"] = Word(ConfigWords.BackendStates, b.AdminState),
            }).ToArray()),
        };
        if (p.Health is { } h) o["health"] = Health(h);
        if (p.Outlier is { } x)
            o["outlier"] = new JsonObject { ["consecutive_failures"] = x.ConsecutiveFailures, ["eject_for"] = Duration(x.EjectionTime) };
        o["slow_start"] = Duration(p.SlowStart);
        o["connect_timeout"] = Duration(p.ConnectTimeout);
        o["response_timeout"] = Duration(p.ResponseTimeout);
        o["retries"] = p.Retries;
        o["send_proxy"] = Word(ConfigWords.ProxyVersions, p.SendProxy);
        return o;
    }

    private static JsonObject Health(HealthCheckOptions h)
    {
        var o = new JsonObject
        {
            ["type"] = Word(ConfigWords.HealthTypes, h.Kind),
            ["interval"] = Duration(h.Interval),
            ["timeout"] = Duration(h.Timeout),
            ["rise"] = h.Rise,
            ["fall"] = h.Fall,
        };
        if (h.Kind == HealthCheckKind.Http)
        {
            o["path"] = h.Path;
            if (h.Host is not null) o["host"] = h.Host;
            o["expect"] = h.ExpectStatusMin == h.ExpectStatusMax ? $"{h.ExpectStatusMin}" : $"{h.ExpectStatusMin}-{h.ExpectStatusMax}";
            if (h.ExpectBody is not null) o["expect_body"] = h.ExpectBody;
        }
        if (h.Kind == HealthCheckKind.MySql)
        {
            o["user"] = h.User;
            o["password_file"] = h.PasswordFile; // the path; the password itself is never read here
            o["role"] = h.Role;
            if (string.Equals(h.Role, ConfigWords.Replica, StringComparison.OrdinalIgnoreCase))
            {
                o["max_lag"] = Duration(h.MaxLag);
                o["fallback_to_primary"] = h.FallbackToPrimary;
            }
        }
        return o;
    }

    private static JsonObject Listener(ListenerConfig l)
    {
        var o = new JsonObject
        {
            ["name"] = l.Name,
            ["protocol"] = Word(ConfigWords.Protocols, l.Protocol),
            ["listen"] = l.Listen,
        };
        if (l.MaxConnections is { } max) o["max_connections"] = max;
        o["idle_timeout"] = Duration(l.IdleTimeout);
        o["drain_timeout"] = Duration(l.DrainTimeout);
        if (l.Protocol == ListenerProtocol.Http)
        {
            o["routes"] = new JsonArray(l.Routes.Select(Route).ToArray<JsonNode?>());
            o["trusted_proxies"] = Strings(l.TrustedProxies.Select(n => n.ToString()));
        }
        else if (l.Tcp is { } tcp)
        {
            o["pool"] = tcp.Pool;
            o["accept_proxy"] = tcp.AcceptProxy;
            if (tcp.AcceptProxy) o["trusted_proxies"] = Strings(tcp.TrustedProxies.Select(n => n.ToString()));
            if (tcp.MaxConnections > 0) o["on_limit"] = Word(ConfigWords.LimitActions, tcp.OnLimit);
        }
        return o;
    }

    private static JsonObject Route(Proxy.Http.Routing.RouteOptions r)
    {
        var match = new JsonObject();
        if (r.Match.Hosts.Count > 0) match["host"] = Strings(r.Match.Hosts);
        if (r.Match.PathPrefix is not null) match["path_prefix"] = r.Match.PathPrefix;
        if (r.Match.Headers.Count > 0)
            match["headers"] = new JsonObject(r.Match.Headers.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value)));
        if (r.Match.Methods.Count > 0) match["methods"] = Strings(r.Match.Methods);
        var o = new JsonObject { ["match"] = match, ["pool"] = r.Pool };
        if (r.Cache is not null) o["cache"] = r.Cache;
        return o;
    }

    private static JsonObject Cache(CacheConfig cache)
    {
        var c = cache.Options;
        var o = new JsonObject { ["memory"] = Size(c.MemoryBytes) };
        if (c.DiskPath is not null) o["disk"] = new JsonObject { ["path"] = c.DiskPath, ["size"] = Size(c.DiskBytes) };
        o["max_object_size"] = Size(c.MaxObjectBytes);
        o["grace"] = Duration(c.Grace);
        o["store_set_cookie"] = c.StoreSetCookie;
        o["stale_while_revalidate"] = Duration(c.StaleWhileRevalidate);
        o["stale_if_error"] = Duration(c.StaleIfError);
        o["collapse_timeout"] = Duration(c.CollapseTimeout);
        o["hit_for_pass"] = Duration(c.HitForPassTtl);
        return o;
    }

    private static JsonObject Vrrp(VrrpInstanceConfig v)
    {
        var o = new JsonObject
        {
            ["name"] = v.Name,
            ["interface"] = v.Interface,
            ["vrid"] = (int)v.Options.Vrid,
            ["priority"] = (int)v.Options.Priority,
            ["advert_interval"] = Duration(v.Options.AdvertInterval),
            ["version"] = (int)v.Options.Version,
        };
        if (v.Options.Version == 3 && v.Family == System.Net.Sockets.AddressFamily.InterNetwork) o["v3_checksum_as_v2"] = v.Options.Ipv4ChecksumForm == Vigil.Vrrp.Packets.VrrpChecksumForm.V3WithoutPseudoHeader;
        o["preempt"] = v.Options.Preempt;
        if (v.Options.Preempt) o["preempt_delay"] = Duration(v.Options.PreemptDelay);
        o["virtual_addresses"] = Strings(v.VirtualAddresses.Select(a => a.ToString()));
        if (v.UnicastPeers.Count > 0) o["unicast_peers"] = Strings(v.UnicastPeers.Select(a => a.ToString()));
        o["transport"] = Word(ConfigWords.VrrpTransports, v.Transport);
        if (v.Udp is { } udp)
            o["udp"] = new JsonObject { ["listen"] = udp.Listen.ToString(), ["peers"] = Strings(udp.Peers.Select(p => p.ToString())) };
        o["vmac"] = v.Vmac;
        o["address_mode"] = Word(ConfigWords.AddressModes, v.AddressMode);
        o["garp_repeat"] = v.Announce.Repeat;
        o["garp_interval"] = Duration(v.Announce.Interval);
        if (v.Options.NotifyScript is not null) o["notify"] = v.Options.NotifyScript;
        if (v.Options.AuthPassword is not null) o["auth_pass"] = Redacted;
        o["track"] = new JsonObject
        {
            ["pools"] = new JsonObject(v.Track.Pools.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
            ["interfaces"] = new JsonObject(v.Track.Interfaces.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
            ["scripts"] = new JsonArray(v.Track.Scripts.Select(s => (JsonNode?)new JsonObject
            {
                ["path"] = s.Path,
                ["interval"] = Duration(s.Interval),
                ["weight"] = s.Weight,
            }).ToArray()),
        };
        return o;
    }

    private static JsonObject Map<T>(IEnumerable<T> items, Func<T, string> name, Func<T, JsonObject> body) =>
        new(items.Select(i => KeyValuePair.Create(name(i), (JsonNode?)body(i))));

    private static JsonArray Strings(IEnumerable<string> items) => new(items.Select(s => (JsonNode?)s).ToArray());

    private static string Word<T>(IReadOnlyDictionary<string, T> words, T value) =>
        words.First(w => EqualityComparer<T>.Default.Equals(w.Value, value)).Key;

    private static string Duration(TimeSpan t) => ConfigDuration.Format(t);

    private static string Size(long bytes) => ConfigSize.Format(bytes);

    // YAML block style, two spaces per level; empty collections in flow style ({} and []).
    private static void WriteMapping(StringBuilder text, JsonObject map, int indent)
    {
        foreach (var (key, value) in map)
        {
            text.Append(' ', indent).Append(Scalar(key)).Append(':');
            WriteValue(text, value, indent);
        }
    }

    private static void WriteValue(StringBuilder text, JsonNode? value, int indent)
    {
        switch (value)
        {
            case JsonObject { Count: 0 }:
                text.Append(" {}\n");
                break;
            case JsonObject o:
                text.Append('\n');
                WriteMapping(text, o, indent + 2);
                break;
            case JsonArray { Count: 0 }:
                text.Append(" []\n");
                break;
            case JsonArray a:
                text.Append('\n');
                foreach (var item in a)
                {
                    text.Append(' ', indent + 2).Append('-');
                    if (item is JsonObject { Count: > 0 } o)
                    {
                        // The first key on the dash's line, the rest aligned under it.
                        var first = new StringBuilder();
                        WriteMapping(first, o, indent + 4);
                        text.Append(' ').Append(first.ToString(indent + 4, first.Length - indent - 4));
                    }
                    else WriteValue(text, item, indent + 2);
                }
                break;
            default:
                text.Append(' ').Append(Scalar(value)).Append('\n');
                break;
        }
    }

    private static string Scalar(JsonNode? value) => value switch
    {
        null => "null",
        JsonValue v when v.TryGetValue<bool>(out var b) => b ? "true" : "false",
        JsonValue v when v.TryGetValue<int>(out var i) => i.ToString(CultureInfo.InvariantCulture),
        JsonValue v when v.TryGetValue<long>(out var l) => l.ToString(CultureInfo.InvariantCulture),
        JsonValue v => Scalar(v.GetValue<string>()),
        _ => throw new ArgumentException("not a scalar", nameof(value)),
    };

    /// <summary>Plain when YAML reads it back as the same string, double-quoted (JSON escapes are YAML's too) otherwise.</summary>
    private static string Scalar(string s) =>
        PlainSafe().IsMatch(s) && !NotAString().IsMatch(s) ? s : System.Text.Json.JsonSerializer.Serialize(s);

    [GeneratedRegex(@"^[A-Za-z0-9_/.<][A-Za-z0-9_/.:<>\-]*$")]
    private static partial Regex PlainSafe();

    /// <summary>Plain scalars YAML would read as a bool or null (numbers are read back as text, which Vigil wants).</summary>
    [GeneratedRegex(@"^(true|false|null|yes|no|on|off|~)$", RegexOptions.IgnoreCase)]
    private static partial Regex NotAString();
}
