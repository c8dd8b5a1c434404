using System.Net;
using YamlDotNet.RepresentationModel;

namespace Vigil.Config;

/// <summary>
/// Turns the YAML tree into <see cref="VigilConfig"/>, checking every value and cross-reference as it
/// goes. Sections are read in dependency order (pools and caches before the listeners and VRRP
/// instances that name them) whatever their order in the file; errors are sorted by line afterwards.
/// </summary>
internal sealed partial class ConfigParser
{
    private static readonly string[] RootKeys = ["node", "admin", "pools", "listeners", "caches", "vrrp"];

    /// <summary>Every key the parser accepts, by section (docs/configuration.md is tested against it).</summary>
    internal static IReadOnlyDictionary<string, string[]> KeysBySection => new Dictionary<string, string[]>
    {
        ["root"] = RootKeys,
        ["node"] = ["name"],
        ["admin"] = AdminKeys,
        ["pool"] = PoolKeys,
        ["backend"] = BackendKeys,
        ["health"] = HealthKeys,
        ["outlier"] = OutlierKeys,
        ["listener"] = ListenerKeys,
        ["route"] = RouteKeys,
        ["match"] = MatchKeys,
        ["cache"] = CacheKeys,
        ["disk"] = DiskKeys,
        ["vrrp"] = VrrpKeys,
        ["udp"] = UdpKeys,
        ["track"] = TrackKeys,
        ["script"] = TrackScriptKeys,
    };

    private static readonly string[] AdminKeys = ["listen", "token", "token_file", "metrics_public"];

    private readonly ConfigReader _r;
    private readonly string? _baseDirectory;
    private readonly Func<string, IPAddress[]> _resolve;
    private readonly HashSet<string> _poolNames = new(StringComparer.Ordinal);
    private readonly HashSet<string> _cacheNames = new(StringComparer.Ordinal);
    /// <summary>Bound endpoints seen so far (admin and listeners), to find overlaps.</summary>
    private readonly List<(IPEndPoint EndPoint, string Owner, int Line)> _bound = [];

    public ConfigParser(ConfigReader reader, string? baseDirectory, Func<string, IPAddress[]> resolve)
    {
        _r = reader;
        _baseDirectory = baseDirectory;
        _resolve = resolve;
    }

    public VigilConfig? Parse(YamlNode root)
    {
        var map = _r.Mapping(root, "", RootKeys);
        if (map is null) return null;

        // Names first, so a reference to a pool whose body has errors is not reported twice.
        CollectNames(map, "pools", _poolNames);
        CollectNames(map, "caches", _cacheNames);

        var node = ParseNode(map);
        var admin = ParseAdmin(map);
        var pools = ParsePools(map);
        var caches = ParseCaches(map);
        var listeners = ParseListeners(map);
        var vrrp = ParseVrrp(map);
        if (pools.Count == 0 && listeners.Count == 0 && vrrp.Count == 0)
            _r.Error(map.Line, "", "nothing to run: define pools and listeners, or vrrp instances");
        return new VigilConfig
        {
            Node = node,
            Admin = admin,
            Pools = pools,
            Caches = caches,
            Listeners = listeners,
            Vrrp = vrrp,
        };
    }

    private static void CollectNames(MappingReader root, string key, HashSet<string> names)
    {
        if (root.Value(key) is not YamlMappingNode section) return;
        foreach (var k in section.Children.Keys)
            if (k is YamlScalarNode { Value: { } name }) names.Add(name);
    }

    private NodeConfig ParseNode(MappingReader root)
    {
        var m = root.Mapping("node", ["name"]);
        var config = new NodeConfig();
        if (m?.String("name") is { } name)
        {
            if (ConfigWords.IsName(name)) config = config with { Name = name };
            else _r.Error(m.ValueLine("name"), m.PathOf("name"), ConfigWords.NameRule);
        }
        return config;
    }

    private AdminConfig ParseAdmin(MappingReader root)
    {
        var config = new AdminConfig();
        var m = root.Mapping("admin", AdminKeys);
        if (m is null)
        {
            _bound.Add((config.ListenEndPoint, "admin", 0));
            return config;
        }
        if (m.String("listen") is { } listen)
        {
            if (ConfigAddress.TryParseLiteralEndPoint(listen, out var ep, out var error))
                config = config with { Listen = listen, ListenEndPoint = ep };
            else _r.Error(m.ValueLine("listen"), m.PathOf("listen"), error);
        }
        _bound.Add((config.ListenEndPoint, "admin", m.ValueLine("listen")));
        var token = m.String("token")?.Trim();
        var tokenFile = m.String("token_file");
        if (token is not null && tokenFile is not null)
            _r.Error(m.KeyLine("token_file"), m.PathOf("token_file"), "give token or token_file, not both");
        else if (token is not null && token.Length < MinTokenLength)
            _r.Error(m.ValueLine("token"), m.PathOf("token"), $"a token needs at least {MinTokenLength} characters");
        else if (tokenFile is not null)
        {
            // Read here, so that check, run and reload hold the file to one rule: an empty or short
            // file must not leave the API without authentication (nor fail only at start).
            tokenFile = ResolvePath(tokenFile);
            token = ReadToken(tokenFile, out var problem);
            if (problem is not null) _r.Error(m.ValueLine("token_file"), m.PathOf("token_file"), problem);
        }
        config = config with
        {
            Token = token is null ? null : new Secret(token),
            TokenFile = tokenFile,
            MetricsPublic = m.Bool("metrics_public") ?? false,
        };
        if (!IPAddress.IsLoopback(config.ListenEndPoint.Address) && token is null && tokenFile is null)
            _r.Error(m.ValueLine("listen"), m.PathOf("listen"),
                $"the admin API listens beyond loopback ({config.Listen}): set token or token_file");
        return ConfigLines.At(config, m.Line);
    }

    /// <summary>An admin token's least length after trimming: 16 characters.</summary>
    private const int MinTokenLength = 16;

    private static string? ReadToken(string path, out string? problem)
    {
        string text;
        try
        {
            text = File.ReadAllText(path).Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            problem = $"cannot read the token file {path}: {ex.Message}";
            return null;
        }
        problem = text.Length < MinTokenLength
            ? $"the token in {path} has {text.Length} characters after trimming; a token needs at least {MinTokenLength} characters"
            : null;
        return problem is null ? text : null;
    }

    /// <summary>Relative file paths are relative to the config file's directory, like nginx's include.</summary>
    private string ResolvePath(string path)
    {
        if (_baseDirectory is null || Path.IsPathRooted(path)) return path;
        try
        {
            return Path.GetFullPath(Path.Combine(_baseDirectory, path));
        }
        catch (ArgumentException)
        {
            return path; // unusable either way; opening it reports the problem
        }
    }

    /// <summary>Records a bound address and reports overlap with one seen before (same port, same or wildcard address).</summary>
    private void Bind(IPEndPoint endPoint, string owner, int line, string path)
    {
        foreach (var (other, otherOwner, otherLine) in _bound)
        {
            if (other.Port != endPoint.Port) continue;
            // [::] is dual-stack on Linux by default, so it overlaps IPv4 addresses too.
            var overlap = other.Address.Equals(endPoint.Address)
                || other.Address.Equals(IPAddress.IPv6Any) || endPoint.Address.Equals(IPAddress.IPv6Any)
                || other.AddressFamily == endPoint.AddressFamily
                   && (ConfigAddress.IsWildcard(other.Address) || ConfigAddress.IsWildcard(endPoint.Address));
            if (!overlap) continue;
            var where = otherLine > 0 ? $" (line {otherLine})" : " (default 127.0.0.1:9090)";
            _r.Error(line, path, $"address {endPoint} overlaps {otherOwner}{where}");
            return;
        }
        _bound.Add((endPoint, owner, line));
    }
}
