using Microsoft.AspNetCore.Http;

namespace Vigil.Proxy.Http.Routing;

/// <summary>
/// A listener's routes in configured order; the first route whose conditions hold wins (like
/// HAProxy's use_backend lines). Immutable: a reload builds a new table.
/// </summary>
public sealed class RouteTable
{
    private readonly Route[] _routes;

    public RouteTable(IEnumerable<RouteOptions> routes)
    {
        _routes = routes.Select((options, i) => new Route(options, i)).ToArray();
    }

    public IReadOnlyList<Route> Routes => _routes;

    /// <summary>The first route that matches the request, or null when none does.</summary>
    public Route? Match(HttpRequest request)
    {
        foreach (var route in _routes)
            if (route.Matches(request)) return route;
        return null;
    }
}
