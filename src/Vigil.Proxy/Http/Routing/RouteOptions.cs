namespace Vigil.Proxy.Http.Routing;

/// <summary>An L7 rule as configured: what a request must look like, and the pool (and cache) that serves it.</summary>
public sealed record RouteOptions
{
    /// <summary>Name used in logs and metrics; the host defaults it to the route's position (<c>www/0</c>).</summary>
    public required string Name { get; init; }
    public RouteMatch Match { get; init; } = new();
    /// <summary>Name of the pool that serves matched requests.</summary>
    public required string Pool { get; init; }
    /// <summary>Name of the cache the route uses, or null for none.</summary>
    public string? Cache { get; init; }
}

/// <summary>
/// The conditions of a route; every condition given must hold (an empty match takes every request).
/// </summary>
public sealed record RouteMatch
{
    /// <summary>Exact host names or <c>*.example.com</c> wildcards (any depth of sub-domain, not the bare domain, like nginx).</summary>
    public IReadOnlyList<string> Hosts { get; init; } = [];
    /// <summary>Case-sensitive prefix of the request path (<c>/api/</c>).</summary>
    public string? PathPrefix { get; init; }
    /// <summary>Header name → exact value, or null to require only the header's presence.</summary>
    public IReadOnlyDictionary<string, string?> Headers { get; init; } = new Dictionary<string, string?>();
    /// <summary>Request methods (<c>GET</c>, <c>POST</c>...); empty takes every method.</summary>
    public IReadOnlyList<string> Methods { get; init; } = [];
}
