using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Vigil.Balancing;

namespace Vigil.Proxy.Tcp;

/// <summary>
/// One <c>protocol: tcp</c> listener: accepts connections and relays each to a backend of its pool
/// (see <see cref="TcpProxyConnection"/>), within a connection limit, until stopped or drained.
/// </summary>
/// <remarks>
/// Lifecycle: construct, <see cref="Start"/> (binds; throws when the address is taken), then either
/// <see cref="DrainAsync"/> (graceful: stop accepting, let connections finish up to the drain
/// timeout) or <see cref="DisposeAsync"/> (stop accepting and cut every connection now).
/// </remarks>
public sealed partial class TcpProxyListener : IAsyncDisposable
{
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _abort = new();
    private readonly CancellationTokenSource _stopAccepting = new();
    private readonly SemaphoreSlim? _slots;
    private readonly TaskCompletionSource _allClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly KeyValuePair<string, object?> _listenerTag;
    private readonly IPNetwork[] _trustedProxies;
    private Socket? _socket;
    private Task _acceptLoop = Task.CompletedTask;
    private volatile bool _stopping;
    private long _open;
    private long _total;
    private long _refused;
    private long _proxyHeaderErrors;
    private long _untrustedPeers;
    private long _noBackend;
    private long _idleTimeouts;
    private long _bytesIn;
    private long _bytesOut;
    private long _splicedFlows;

    /// <param name="options">The listener as configured.</param>
    /// <param name="pool">Returns the listener's pool at the time of each new connection (null when
    /// it is gone), so a reload can swap the pool without restarting the listener.</param>
    /// <param name="time">Clock for timeouts; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="logger">Logs start, stop and accept errors, never per connection.</param>
    /// <exception cref="ArgumentException">The options break one of <see cref="TcpListenerOptions.Validate"/>'s rules.</exception>
    public TcpProxyListener(TcpListenerOptions options, Func<Pool?> pool, TimeProvider? time = null, ILogger? logger = null)
    {
        var errors = options.Validate();
        if (errors.Count > 0) throw new ArgumentException(string.Join("; ", errors), nameof(options));
        Options = options;
        PoolSource = pool;
        Time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _listenerTag = TcpProxyMetrics.Listener(options.Name);
        _trustedProxies = options.AcceptProxy ? [.. options.TrustedProxies] : [];
        if (options.MaxConnections > 0 && options.OnLimit == ConnectionLimitMode.Queue)
            _slots = new SemaphoreSlim(options.MaxConnections, options.MaxConnections);
    }

    public TcpListenerOptions Options { get; }
    internal Func<Pool?> PoolSource { get; }
    internal TimeProvider Time { get; }
    internal ILogger Logger => _logger;

    /// <summary>The bound address (with the real port when the options asked for port 0); null before <see cref="Start"/>.</summary>
    public IPEndPoint? LocalEndPoint { get; private set; }

    public long ConnectionsOpen => Interlocked.Read(ref _open);
    public long ConnectionsTotal => Interlocked.Read(ref _total);
    /// <summary>Closed at once because the listener was at its limit (refuse mode).</summary>
    public long ConnectionsRefused => Interlocked.Read(ref _refused);
    public long ProxyHeaderErrors => Interlocked.Read(ref _proxyHeaderErrors);
    /// <summary>Closed at once because the peer is not in <see cref="TcpListenerOptions.TrustedProxies"/>.</summary>
    public long UntrustedPeers => Interlocked.Read(ref _untrustedPeers);
    /// <summary>Closed because the pool was missing or none of its backends could be reached.</summary>
    public long NoBackendErrors => Interlocked.Read(ref _noBackend);
    public long IdleTimeouts => Interlocked.Read(ref _idleTimeouts);
    /// <summary>Bytes from clients to backends.</summary>
    public long BytesIn => Interlocked.Read(ref _bytesIn);
    /// <summary>Bytes from backends to clients.</summary>
    public long BytesOut => Interlocked.Read(ref _bytesOut);

    /// <summary>Binds and starts accepting. Throws a <see cref="SocketException"/> when the address cannot be bound.</summary>
    public void Start()
    {
        if (_socket is not null) throw new InvalidOperationException($"listener {Options.Name} already started");
        var socket = new Socket(Options.EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (Options.EndPoint.AddressFamily == AddressFamily.InterNetworkV6 && Options.EndPoint.Address.Equals(IPAddress.IPv6Any))
                socket.DualMode = true;
            // Lets a restarted Vigil bind while old connections sit in TIME_WAIT.
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(Options.EndPoint);
            socket.Listen(Options.Backlog);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        _socket = socket;
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
        _acceptLoop = Task.Run(AcceptLoopAsync);
        _logger.LogInformation("tcp listener {Listener} listening on {EndPoint} for pool {Pool}", Options.Name, LocalEndPoint, Options.Pool);
    }

    /// <summary>Stops accepting: closes the listening socket so new connections are refused by the kernel. Open connections go on.</summary>
    public void StopAccepting()
    {
        if (_stopping) return;
        _stopping = true;
        _stopAccepting.Cancel(); // frees an accept loop waiting for a connection slot
        _socket?.Dispose();
        if (Interlocked.Read(ref _open) == 0) _allClosed.TrySetResult();
    }

    /// <summary>
    /// Graceful stop: stops accepting, waits for open connections to end up to
    /// <see cref="TcpListenerOptions.DrainTimeout"/> (or until <paramref name="cancellationToken"/>
    /// fires), then cuts those left. Completes when every connection is closed.
    /// </summary>
    public async Task DrainAsync(CancellationToken cancellationToken = default)
    {
        StopAccepting();
        await _acceptLoop.ConfigureAwait(false);
        var open = Interlocked.Read(ref _open);
        if (open > 0)
        {
            _logger.LogInformation("tcp listener {Listener} draining {Open} connections (up to {Timeout})", Options.Name, open, Options.DrainTimeout);
            try
            {
                await _allClosed.Task.WaitAsync(Options.DrainTimeout, Time, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is TimeoutException or OperationCanceledException)
            {
                _logger.LogWarning("tcp listener {Listener} drain deadline: cutting {Open} connections", Options.Name, Interlocked.Read(ref _open));
            }
        }
        await CutAsync().ConfigureAwait(false);
    }

    /// <summary>Stops accepting and cuts every open connection now.</summary>
    public async ValueTask DisposeAsync()
    {
        StopAccepting();
        await _acceptLoop.ConfigureAwait(false);
        await CutAsync().ConfigureAwait(false);
    }

    private async Task CutAsync()
    {
        await _abort.CancelAsync().ConfigureAwait(false);
        await _allClosed.Task.ConfigureAwait(false);
    }

    private async Task AcceptLoopAsync()
    {
        var socket = _socket!;
        while (!_stopping)
        {
            // Queue mode: no accept while at the limit, so excess connections wait in the kernel's
            // backlog (like HAProxy's maxconn) instead of being accepted and left unserved.
            if (_slots is not null)
            {
                try
                {
                    await _slots.WaitAsync(_stopAccepting.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                if (_stopping)
                {
                    _slots.Release();
                    return;
                }
            }

            Socket client;
            try
            {
                client = await socket.AcceptAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                _slots?.Release();
                if (_stopping) return;
                // EMFILE and friends: back off briefly rather than spin.
                _logger.LogWarning("tcp listener {Listener} accept failed: {Error}", Options.Name, e.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(100), Time).ConfigureAwait(false);
                continue;
            }

            if (_stopping)
            {
                // Accepted in the instant the listener closed: drain has begun, so it is not served.
                client.Dispose();
                _slots?.Release();
                return;
            }

            Interlocked.Increment(ref _total);
            TcpProxyMetrics.ConnectionsTotal.Add(1, _listenerTag);
            if (_slots is null && Options.MaxConnections > 0 && Interlocked.Read(ref _open) >= Options.MaxConnections)
            {
                Interlocked.Increment(ref _refused);
                TcpProxyMetrics.ConnectionsRefused.Add(1, _listenerTag);
                client.Dispose();
                continue;
            }

            if (!IsTrustedPeer(client))
            {
                Interlocked.Increment(ref _untrustedPeers);
                TcpProxyMetrics.UntrustedPeers.Add(1, _listenerTag);
                LogUntrustedPeer(_logger, Options.Name, client.RemoteEndPoint);
                client.Dispose();
                _slots?.Release();
                continue;
            }

            Interlocked.Increment(ref _open);
            TcpProxyMetrics.ConnectionsOpen.Add(1, _listenerTag);
            // Runs on the thread pool so a slow first step of one connection never delays accept.
            _ = Task.Run(new TcpProxyConnection(this, client, _abort.Token).RunAsync);
        }
    }

    /// <summary>
    /// With accept_proxy, only the balancers in front may speak for a client: a PROXY header from
    /// anyone else would let them pick the address Vigil logs, hashes and relays (HAProxy's
    /// <c>tcp-request connection expect-proxy layer4 if { src -f trusted }</c>, nginx's set_real_ip_from).
    /// </summary>
    private bool IsTrustedPeer(Socket client)
    {
        if (_trustedProxies.Length == 0) return true;
        if (client.RemoteEndPoint is not IPEndPoint { Address: var peer }) return false;
        // A dual-stack listener sees an IPv4 balancer as ::ffff:a.b.c.d; the list names it as a.b.c.d.
        if (peer.IsIPv4MappedToIPv6) peer = peer.MapToIPv4();
        foreach (var network in _trustedProxies)
            if (network.Contains(peer)) return true;
        return false;
    }

    internal void OnConnectionClosed()
    {
        TcpProxyMetrics.ConnectionsOpen.Add(-1, _listenerTag);
        _slots?.Release();
        if (Interlocked.Decrement(ref _open) == 0 && _stopping) _allClosed.TrySetResult();
    }

    internal void CountProxyHeaderError()
    {
        Interlocked.Increment(ref _proxyHeaderErrors);
        TcpProxyMetrics.ProxyHeaderErrors.Add(1, _listenerTag);
    }

    internal void CountNoBackend()
    {
        Interlocked.Increment(ref _noBackend);
        TcpProxyMetrics.NoBackend.Add(1, _listenerTag);
    }

    internal void CountIdleTimeout() => Interlocked.Increment(ref _idleTimeouts);

    /// <summary>Directions (two per connection at most) that ran on splice(2); lets tests see auto mode switch.</summary>
    internal long SplicedFlows => Interlocked.Read(ref _splicedFlows);

    internal void CountSplicedFlow() => Interlocked.Increment(ref _splicedFlows);

    internal void AddBytes(TcpFlow flow, long count)
    {
        if (flow == TcpFlow.In) Interlocked.Add(ref _bytesIn, count);
        else Interlocked.Add(ref _bytesOut, count);
        TcpProxyMetrics.Bytes.Add(count, _listenerTag, new("direction", flow == TcpFlow.In ? "in" : "out"));
    }
}
