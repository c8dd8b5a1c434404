using System.Net;
using Vigil.Proxy.Http.Routing;
using RouteOptions = Vigil.Proxy.Http.Routing.RouteOptions;

namespace Vigil.Config;

/// <summary>Where traffic enters: an address:port with <c>protocol: http</c> (L7 routes) or <c>tcp</c> (L4, one pool).</summary>
public sealed record ListenerConfig
{
    public required string Name { get; init; }
    public ListenerProtocol Protocol { get; init; } = ListenerProtocol.Http;
    /// <summary>The operator's spelling of the address.</summary>
    public required string Listen { get; init; }
    public required IPEndPoint ListenEndPoint { get; init; }
    /// <summary>Concurrent connections; null is unlimited.</summary>
    public int? MaxConnections { get; init; }
    /// <summary>Idle time after which a connection is closed (tcp: no byte either way; http: keep-alive).</summary>
    public TimeSpan IdleTimeout { get; init; }
    /// <summary>On reload or shutdown, how long in-flight work may continue before it is cut.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(30);

    // http
    /// <summary>The Proxy library's own route options, in file order (the first match wins).</summary>
    public IReadOnlyList<RouteOptions> Routes { get; init => field = ValueList<RouteOptions>.From(value); } = ValueList<RouteOptions>.Empty;
    /// <summary>http: peers whose X-Forwarded-* headers are kept (from anyone else they are replaced); tcp with accept_proxy: the only peers allowed to connect and send a PROXY header.</summary>
    public IReadOnlyList<IPNetwork> TrustedProxies { get; init => field = ValueList<IPNetwork>.From(value); } = ValueList<IPNetwork>.Empty;

    // tcp
    public string? Pool { get; init; }
    /// <summary>Expect a PROXY protocol v1/v2 header from the peer (behind another balancer).</summary>
    public bool AcceptProxy { get; init; }
    public ConnectionLimitAction OnLimit { get; init; } = ConnectionLimitAction.Queue;


    /// <summary>Default idle timeouts: long-lived L4 sessions (databases) vs HTTP keep-alive.</summary>
    public static TimeSpan DefaultIdleTimeout(ListenerProtocol protocol) =>
        protocol == ListenerProtocol.Tcp ? TimeSpan.FromHours(1) : TimeSpan.FromSeconds(120);
}

/// <summary>What a listener speaks: HTTP (L7, routes) or raw TCP (L4, one pool).</summary>
public enum ListenerProtocol { Http, Tcp }

/// <summary>What a tcp listener does with a connection beyond <c>max_connections</c>.</summary>
public enum ConnectionLimitAction
{
    /// <summary>Leave it in the kernel backlog until a slot frees (HAProxy's behaviour at maxconn).</summary>
    Queue,
    /// <summary>Accept and close it at once so the client fails fast.</summary>
    Refuse,
}
