using Vigil.Balancing;
using Vigil.Balancing.Health;
using Vigil.Proxy.Tcp;

namespace Vigil.Config;

/// <summary>The words the config accepts for enumerations, in the spelling users type.</summary>
internal static class ConfigWords
{
    public static readonly IReadOnlyDictionary<string, SchedulerKind> Schedulers = new Dictionary<string, SchedulerKind>
    {
        ["round-robin"] = SchedulerKind.RoundRobin,
        ["weighted-round-robin"] = SchedulerKind.WeightedRoundRobin,
        ["least-connections"] = SchedulerKind.LeastConnections,
        ["source-hash"] = SchedulerKind.SourceHash,
        ["consistent-hash"] = SchedulerKind.ConsistentHash,
        ["power-of-two"] = SchedulerKind.PowerOfTwo,
    };

    public static readonly IReadOnlyDictionary<string, AdminState> BackendStates = new Dictionary<string, AdminState>
    {
        ["enabled"] = AdminState.Enabled,
        ["draining"] = AdminState.Draining,
        ["disabled"] = AdminState.Disabled,
    };

    public static readonly IReadOnlyDictionary<string, HealthCheckKind> HealthTypes = new Dictionary<string, HealthCheckKind>
    {
        ["tcp"] = HealthCheckKind.Tcp,
        ["http"] = HealthCheckKind.Http,
        ["mysql"] = HealthCheckKind.MySql,
    };

    public const string Primary = "primary", Replica = "replica";

    /// <summary>The role words of a mysql check, as <see cref="HealthCheckOptions.Role"/> holds them.</summary>
    public static readonly IReadOnlyDictionary<string, Spelling> MySqlRoles = new Dictionary<string, Spelling>
    {
        [Primary] = new(Primary),
        [Replica] = new(Replica),
    };

    /// <summary>PROXY protocol versions as <see cref="PoolOptions.SendProxy"/> holds them.</summary>
    public static readonly IReadOnlyDictionary<string, int> ProxyVersions = new Dictionary<string, int>
    {
        ["none"] = 0,
        ["v1"] = 1,
        ["v2"] = 2,
    };

    /// <summary>A word a library option keeps as text (<see cref="ConfigReader.Word{T}"/> returns values).</summary>
    public readonly record struct Spelling(string Value);

    public static readonly IReadOnlyDictionary<string, ListenerProtocol> Protocols = new Dictionary<string, ListenerProtocol>
    {
        ["http"] = ListenerProtocol.Http,
        ["tcp"] = ListenerProtocol.Tcp,
    };

    public static readonly IReadOnlyDictionary<string, ConnectionLimitMode> LimitActions = new Dictionary<string, ConnectionLimitMode>
    {
        ["queue"] = ConnectionLimitMode.Queue,
        ["refuse"] = ConnectionLimitMode.Refuse,
    };

    public static readonly IReadOnlyDictionary<string, VrrpTransportKind> VrrpTransports = new Dictionary<string, VrrpTransportKind>
    {
        ["raw"] = VrrpTransportKind.Raw,
        ["udp"] = VrrpTransportKind.Udp,
    };

    public static readonly IReadOnlyDictionary<string, VrrpAddressMode> AddressModes = new Dictionary<string, VrrpAddressMode>
    {
        ["netlink"] = VrrpAddressMode.Netlink,
        ["bind"] = VrrpAddressMode.Bind,
    };

    /// <summary>Methods a route may match: RFC 9110 §9, PATCH (RFC 5789), WebDAV, and PURGE.</summary>
    public static readonly IReadOnlyList<string> Methods =
    [
        "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
        "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "REPORT", "SEARCH", "PURGE",
    ];

    /// <summary>Names of pools, listeners, caches and instances: they appear in URLs and metric labels.</summary>
    public static bool IsName(string s) =>
        s.Length is > 0 and <= 64 && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    public const string NameRule = "names use letters, digits, '-', '_' and '.' (at most 64)";
}
