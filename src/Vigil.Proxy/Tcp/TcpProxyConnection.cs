using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Vigil.Balancing;

namespace Vigil.Proxy.Tcp;

/// <summary>
/// One client connection of a <see cref="TcpProxyListener"/>: optional PROXY header in, pick and
/// connect a backend, optional PROXY header out, then both directions copied until both end.
/// Idle timeout, a peer's reset and the listener's drain deadline all end it through one token.
/// </summary>
internal sealed class TcpProxyConnection
{
    // Byte counters are published in batches so a bulk transfer does not pay for a metric per read.
    private const long FlushBytes = 1 << 20;

    private readonly TcpProxyListener _listener;
    private readonly Socket _client;
    private readonly CancellationTokenSource _cancel;
    private readonly TimeProvider _time;
    private long _lastActivity;
    private long _pendingIn;
    private long _pendingOut;
    private Backend? _backend;

    public TcpProxyConnection(TcpProxyListener listener, Socket client, CancellationToken abort)
    {
        _listener = listener;
        _client = client;
        _time = listener.Time;
        _cancel = CancellationTokenSource.CreateLinkedTokenSource(abort);
    }

    private TcpListenerOptions Options => _listener.Options;

    public void Touch() => Volatile.Write(ref _lastActivity, _time.GetTimestamp());

    public void AddBytes(TcpFlow flow, int count)
    {
        // Each flow is written by one pump only, so plain adds are safe here.
        if (flow == TcpFlow.In)
        {
            if ((_pendingIn += count) >= FlushBytes) FlushBytesOf(TcpFlow.In);
        }
        else if ((_pendingOut += count) >= FlushBytes) FlushBytesOf(TcpFlow.Out);
    }

    public async Task RunAsync()
    {
        Socket? server = null;
        byte[]? head = null;
        var headLength = 0;
        var token = _cancel.Token;
        try
        {
            _client.NoDelay = true;
            var incoming = default(ProxyHeader);
            if (Options.AcceptProxy)
            {
                head = ArrayPool<byte>.Shared.Rent(ProxyProtocolReader.MaxHeaderLength);
                (var status, incoming, var consumed, headLength) = await ReadProxyHeaderAsync(head, token).ConfigureAwait(false);
                if (status != ProxyParseStatus.Done)
                {
                    _listener.CountProxyHeaderError();
                    return;
                }
                // Bytes after the header are the client's first payload: keep them for the backend.
                head.AsSpan(consumed, headLength - consumed).CopyTo(head);
                headLength -= consumed;
            }

            var pool = _listener.PoolSource();
            if (pool is null)
            {
                _listener.CountNoBackend();
                return;
            }
            var clientEndPoint = incoming.Source ?? (IPEndPoint)_client.RemoteEndPoint!;
            var context = new PickContext(ClientHash.Of(clientEndPoint.Address), _time.GetUtcNow());
            var timeout = Options.ConnectTimeout ?? pool.Options.ConnectTimeout;
            (server, _backend) = await BackendConnector.ConnectAsync(pool, context, timeout, _time, token).ConfigureAwait(false);
            if (server is null)
            {
                _listener.CountNoBackend();
                return;
            }

            using var lease = _backend!.BeginRequest();
            var sendProxy = (ProxyProtocolVersion)pool.Options.SendProxy;
            if (sendProxy != ProxyProtocolVersion.None || headLength > 0)
            {
                var target = incoming.Destination ?? (IPEndPoint)_client.LocalEndPoint!;
                // A LOCAL/UNKNOWN header in means "use the real connection's addresses" (proxy-protocol.txt §2.1, §2.2).
                await SendPreambleAsync(server, sendProxy, clientEndPoint, target, head, headLength, token).ConfigureAwait(false);
            }
            if (head is not null)
            {
                ArrayPool<byte>.Shared.Return(head);
                head = null;
            }

            Touch();
            var idle = Options.IdleTimeout ?? pool.Options.ResponseTimeout;
            var watchdog = idle > TimeSpan.Zero ? WatchIdleAsync(idle) : Task.CompletedTask;
            var inbound = PumpAsync(_client, server, TcpFlow.In);
            var outbound = PumpAsync(server, _client, TcpFlow.Out);
            await inbound.ConfigureAwait(false);
            await outbound.ConfigureAwait(false);
            _cancel.Cancel(); // both directions ended: stop the watchdog
            await watchdog.ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            // A reset, a timeout or the drain deadline: the connection just ends.
        }
        catch (Exception e)
        {
            // A bug, not traffic: log it and close this connection; the listener keeps serving.
            _listener.Logger.LogError(e, "tcp listener {Listener} connection failed", Options.Name);
        }
        finally
        {
            _cancel.Cancel(); // stops the watchdog on every path out
            if (head is not null) ArrayPool<byte>.Shared.Return(head);
            FlushBytesOf(TcpFlow.In);
            FlushBytesOf(TcpFlow.Out);
            server?.Dispose();
            _client.Dispose();
            _cancel.Dispose();
            _listener.OnConnectionClosed();
        }
    }

    private async Task PumpAsync(Socket from, Socket to, TcpFlow flow)
    {
        try
        {
            var mode = SplicePump.IsSupported ? Options.CopyMode : TcpCopyMode.Buffered;
            if (mode == TcpCopyMode.Splice ||
                await BufferedPump.RunAsync(from, to, this, flow, Options.BufferSize, untilBulk: mode == TcpCopyMode.Auto, _cancel.Token).ConfigureAwait(false))
            {
                _listener.CountSplicedFlow();
                await SplicePump.RunAsync(from, to, this, flow, _cancel.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            // One side reset or the connection was cut: the other direction cannot go on either.
            _cancel.Cancel();
        }
    }

    private async Task WatchIdleAsync(TimeSpan idle)
    {
        try
        {
            while (true)
            {
                var quiet = _time.GetElapsedTime(Volatile.Read(ref _lastActivity));
                if (quiet >= idle)
                {
                    _listener.CountIdleTimeout();
                    _cancel.Cancel();
                    return;
                }
                await Task.Delay(idle - quiet, _time, _cancel.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async ValueTask<(ProxyParseStatus Status, ProxyHeader Header, int Consumed, int Received)> ReadProxyHeaderAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(Options.ProxyHeaderTimeout, _time);
        using var link = cancellationToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), deadline);
        var received = 0;
        try
        {
            while (received < ProxyProtocolReader.MaxHeaderLength)
            {
                var read = await _client.ReceiveAsync(buffer.AsMemory(received, ProxyProtocolReader.MaxHeaderLength - received), SocketFlags.None, deadline.Token).ConfigureAwait(false);
                if (read == 0) break;
                received += read;
                var status = ProxyProtocolReader.TryParse(buffer.AsSpan(0, received), out var header, out var consumed);
                if (status != ProxyParseStatus.Incomplete) return (status, header, consumed, received);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The peer was too slow to send its header: counted like a malformed one.
        }
        return (ProxyParseStatus.Invalid, default, 0, received);
    }

    private static async ValueTask SendPreambleAsync(Socket server, ProxyProtocolVersion version, IPEndPoint? source, IPEndPoint? target,
        byte[]? head, int headLength, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ProxyProtocolWriter.MaxV1Length + headLength);
        try
        {
            var length = ProxyProtocolWriter.Write(version, buffer, source, target);
            if (headLength > 0) head.AsSpan(0, headLength).CopyTo(buffer.AsSpan(length));
            var pending = buffer.AsMemory(0, length + headLength);
            while (!pending.IsEmpty)
            {
                var sent = await server.SendAsync(pending, SocketFlags.None, cancellationToken).ConfigureAwait(false);
                pending = pending[sent..];
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void FlushBytesOf(TcpFlow flow)
    {
        long count;
        if (flow == TcpFlow.In) { count = _pendingIn; _pendingIn = 0; }
        else { count = _pendingOut; _pendingOut = 0; }
        if (count == 0) return;
        _listener.AddBytes(flow, count);
        if (flow == TcpFlow.In) _backend?.Counters.AddBytes(0, count);
        else _backend?.Counters.AddBytes(count, 0);
    }
}
