using System.Net;

namespace Vigil.Proxy.Http;

/// <summary>Settings of one L7 listener's proxy.</summary>
public sealed record HttpProxyOptions
{
    /// <summary>The listener's name, used in metrics and logs.</summary>
    public required string ListenerName { get; init; }
    /// <summary>
    /// Peers whose X-Forwarded-* headers are believed (another proxy in front of Vigil): Vigil
    /// appends to their X-Forwarded-For. From any other peer those headers are replaced.
    /// </summary>
    public IReadOnlyList<IPNetwork> TrustedProxies { get; init; } = [];
}
