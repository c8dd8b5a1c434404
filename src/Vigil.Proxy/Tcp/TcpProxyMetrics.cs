using System.Diagnostics;
using System.Diagnostics.Metrics;
using Vigil.Balancing;

namespace Vigil.Proxy.Tcp;

/// <summary>
/// The L4 proxy's instruments on the <c>Vigil.Proxy.Tcp</c> meter, named in Prometheus style.
/// One static meter: instruments are process-wide and each measurement carries its listener's tags.
/// </summary>
public static class TcpProxyMetrics
{
    public const string MeterName = "Vigil.Proxy.Tcp";

    private static readonly Meter Meter = new(MeterName);

    internal static readonly UpDownCounter<long> ConnectionsOpen =
        Meter.CreateUpDownCounter<long>("vigil_tcp_connections_open", description: "TCP connections open now, per listener.");
    internal static readonly Counter<long> ConnectionsTotal =
        Meter.CreateCounter<long>("vigil_tcp_connections_total", description: "TCP connections accepted, per listener.");
    internal static readonly Counter<long> ConnectionsRefused =
        Meter.CreateCounter<long>("vigil_tcp_connections_refused_total", description: "TCP connections closed at once because the listener was at its limit.");
    internal static readonly Counter<long> Bytes =
        Meter.CreateCounter<long>("vigil_tcp_bytes_total", unit: "By", description: "Bytes relayed, per listener and direction (in: client to backend, out: backend to client).");
    internal static readonly Counter<long> ConnectFailures =
        Meter.CreateCounter<long>("vigil_tcp_backend_connect_failures_total", description: "Failed connects (refused or timed out), per pool and backend.");
    internal static readonly Counter<long> ProxyHeaderErrors =
        Meter.CreateCounter<long>("vigil_tcp_proxy_header_errors_total", description: "Connections closed for a malformed, missing or late PROXY protocol header, per listener.");
    internal static readonly Counter<long> UntrustedPeers =
        Meter.CreateCounter<long>("vigil_tcp_untrusted_peers_total", description: "Connections to an accept_proxy listener closed at once because the peer is not in its trusted_proxies, per listener.");
    internal static readonly Counter<long> NoBackend =
        Meter.CreateCounter<long>("vigil_tcp_no_backend_total", description: "Connections closed because no backend of the pool could be reached, per listener.");

    internal static KeyValuePair<string, object?> Listener(string name) => new("listener", name);

    internal static void CountConnectFailure(Pool pool, Backend backend)
    {
        backend.Counters.CountConnectFailure();
        var tags = new TagList { { "pool", pool.Name }, { "backend", backend.Address } };
        ConnectFailures.Add(1, tags);
    }
}
