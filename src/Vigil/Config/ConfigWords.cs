using Vigil.Balancing;
using Vigil.Balancing.Health;

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

    public static readonly IReadOnlyDictionary<string, MySqlRole> MySqlRoles = new Dictionary<string, MySqlRole>
    {
        ["primary"] = MySqlRole.Primary,
        ["replica"] = MySqlRole.Replica,
    };

    public static readonly IReadOnlyDictionary<string, ProxyProtocolVersion> ProxyVersions = new Dictionary<string, ProxyProtocolVersion>
    {
        ["none"] = ProxyProtocolVersion.None,
        ["v1"] = ProxyProtocolVersion.V1,
        ["v2"] = ProxyProtocolVersion.V2,
    };

    public static readonly IReadOnlyDictionary<string, ListenerProtocol> Protocols = new Dictionary<string, ListenerProtocol>
    {
        ["http"] = ListenerProtocol.Http,
        ["tcp"] = ListenerProtocol.Tcp,
    };

    public static readonly IReadOnlyDictionary<string, ConnectionLimitAction> LimitActions = new Dictionary<string, ConnectionLimitAction>
    {
        ["queue"] = ConnectionLimitAction.Queue,
        ["refuse"] = ConnectionLimitAction.Refuse,
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
