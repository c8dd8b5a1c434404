using System.Net;
using Vigil.Proxy.Http;
using Vigil.Proxy.Http.Routing;
using Vigil.Proxy.Tcp;
using RouteOptions = Vigil.Proxy.Http.Routing.RouteOptions;

namespace Vigil.Config;

/// <summary>
/// Where traffic enters: an address:port with <c>protocol: http</c> (L7 routes) or <c>tcp</c> (L4, one pool).
/// A tcp listener's keys are the Proxy library's own <see cref="TcpListenerOptions"/> (defaults live there,
/// once), wrapped rather than copied as <see cref="PoolConfig"/> wraps the pool's; an http listener's are
/// Kestrel's, kept here. The host adds only its own: the name, the operator's spelling and the protocol.
/// </summary>
public sealed record ListenerConfig
{
    public required string Name { get; init; }
    public ListenerProtocol Protocol { get; init; } = ListenerProtocol.Http;
    /// <summary>The operator's spelling of the address.</summary>
    public required string Listen { get; init; }

    /// <summary>tcp: the Proxy library's own options (address, pool, limits, timeouts); null for http.</summary>
    public TcpListenerOptions? Tcp { get; init; }
    /// <summary>http: the Proxy library's own options for the listener's proxy (its trusted proxies); null for tcp.</summary>
    public HttpProxyOptions? Http { get; init; }

    // Both protocols. A tcp listener reads them from its Tcp options (the one copy), and setting them here
    // would be lost: refused loudly (set Tcp with { ... } instead). An http listener keeps its own, which
    // are Kestrel's (the Proxy library has no record for them).
    public IPEndPoint ListenEndPoint { get => Tcp?.EndPoint ?? field; init => field = HttpOnly(value); } = new(IPAddress.None, 0);
    /// <summary>Concurrent connections; null is unlimited.</summary>
    public int? MaxConnections { get => Tcp is { } tcp ? (tcp.MaxConnections > 0 ? tcp.MaxConnections : null) : field; init => field = HttpOnly(value); }
    /// <summary>Idle time after which a connection is closed (tcp: no byte either way; http: keep-alive).</summary>
    public TimeSpan IdleTimeout { get => Tcp is { } tcp ? tcp.IdleTimeout ?? TimeSpan.Zero : field; init => field = HttpOnly(value); } = DefaultHttpIdleTimeout;
    /// <summary>On reload or shutdown, how long in-flight work may continue before it is cut.</summary>
    public TimeSpan DrainTimeout { get => Tcp?.DrainTimeout ?? field; init => field = HttpOnly(value); } = TimeSpan.FromSeconds(30);

    private T HttpOnly<T>(T value, [System.Runtime.CompilerServices.CallerMemberName] string property = "") =>
        Tcp is null ? value : throw new InvalidOperationException($"tcp listener {Name}: {property} lives in its Tcp options; set Tcp with {{ ... }}");
    /// <summary>http: peers whose X-Forwarded-* headers are kept (from anyone else they are replaced); tcp with accept_proxy: the only peers allowed to connect and send a PROXY header.</summary>
    public IReadOnlyList<IPNetwork> TrustedProxies => Tcp?.TrustedProxies ?? Http?.TrustedProxies ?? ValueList<IPNetwork>.Empty;

    // http
    /// <summary>The Proxy library's own route options, in file order (the first match wins).</summary>
    public IReadOnlyList<RouteOptions> Routes { get; init => field = ValueList<RouteOptions>.From(value); } = ValueList<RouteOptions>.Empty;

    /// <summary>HTTP keep-alive, as Kestrel's own default.</summary>
    public static readonly TimeSpan DefaultHttpIdleTimeout = TimeSpan.FromSeconds(120);

    /// <summary>
    /// A tcp listener's idle timeout when none is written: long-lived L4 sessions (databases). The
    /// library's own default (null: the pool's response timeout) suits request/response traffic, not a
    /// quiet database connection, so the host says so explicitly.
    /// </summary>
    public static readonly TimeSpan DefaultTcpIdleTimeout = TimeSpan.FromHours(1);
}

/// <summary>What a listener speaks: HTTP (L7, routes) or raw TCP (L4, one pool).</summary>
public enum ListenerProtocol { Http, Tcp }
