using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace Vigil.Proxy.Http.Upstream.Http1;

/// <summary>Why a connection was cut while in use.</summary>
internal enum AbortReason
{
    None,
    /// <summary>No byte moved to or from the backend within the response timeout.</summary>
    TimedOut,
    /// <summary>The client went away (its request was aborted).</summary>
    Client,
}

/// <summary>
/// One keep-alive HTTP/1.1 connection to a backend: the socket, its two buffers (kept for the
/// connection's life, so requests rent nothing), and an idle timer that cuts the socket when a
/// request makes no progress for the response timeout.
/// </summary>
internal sealed class Http1Connection : IDisposable
{
    /// <summary>Read buffer; also the cap on a response head (HAProxy's tune.bufsize is 16 KiB).</summary>
    public const int ReadBufferSize = 32 * 1024;
    public const int WriteBufferSize = 16 * 1024;

    private readonly Socket _socket;
    private readonly Timer _timer;
    private long _lastActivity;
    private long _timeoutMs;
    private int _state; // Idle, Busy or Aborted: an abort only ever hits a connection in use
    private int _armed;
    private int _abortReason;
    private const int Idle = 0, Busy = 1, AbortedState = 2;
    private CancellationTokenRegistration _clientAborted;
    private CancellationTokenRegistration _callerCanceled;
    private ValueTask<int> _headRead;
    private bool _headReadPosted;
    private bool _disposed;

    private Http1Connection(Socket socket)
    {
        _socket = socket;
        ReadBuffer = ArrayPool<byte>.Shared.Rent(ReadBufferSize);
        WriteBuffer = ArrayPool<byte>.Shared.Rent(WriteBufferSize);
        // One timer per connection, armed once per request; progress only stamps a field, so the
        // per-read cost is a store rather than a timer reset (unlike a CancelAfter per operation).
        _timer = new Timer(static state => ((Http1Connection)state!).OnTimer(), this, Timeout.Infinite, Timeout.Infinite);
    }

    public byte[] ReadBuffer { get; }
    public byte[] WriteBuffer { get; }
    /// <summary>When the connection went back to the pool (Environment.TickCount64).</summary>
    public long IdleSince { get; set; }
    /// <summary>How many requests this connection carried (1 on the first).</summary>
    public int Requests { get; set; }
    public AbortReason Aborted => (AbortReason)Volatile.Read(ref _abortReason);

    /// <summary>Connects within <paramref name="timeout"/>; throws on refusal, unreachability or timeout.</summary>
    public static async ValueTask<Http1Connection> ConnectAsync(IPEndPoint endPoint, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            cts.CancelAfter(timeout);
            try
            {
                await socket.ConnectAsync(endPoint, cts.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"connect to {endPoint} timed out after {timeout.TotalMilliseconds} ms");
            }
            return new Http1Connection(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Whether an idle connection may carry another request: nothing arrived on it while it idled
    /// (bytes, a FIN or a reset on the posted head read rule it out: a body the backend sent after a
    /// HEAD or beyond its Content-Length would otherwise reach the next client as its own response),
    /// and it has not idled longer than backends commonly keep connections (nginx 75 s, Kestrel 130 s).
    /// </summary>
    /// <remarks>
    /// A memory read, not a system call: the read posted when the connection went idle completes
    /// when anything arrives, as nginx keeps a read handler on its idle upstream connections. The
    /// poll(2) this replaced cost 11% more CPU per request on the L7 benchmark (docs/BENCHMARKS.md).
    /// </remarks>
    public bool IsReusable(long now, long maxIdleMs) => now - IdleSince <= maxIdleMs && !HeadReadCompleted;

    /// <summary>
    /// Posts the read that will carry the next response head, into <see cref="ReadBuffer"/> from
    /// its start: when the connection goes idle (so the pool learns of anything the backend sends
    /// meanwhile without asking the kernel), or before a fresh connection's first request. One
    /// recv(2) that finds nothing, the one the exchange would otherwise make after sending.
    /// </summary>
    public void PostHeadRead()
    {
        if (_headReadPosted) return;
        _headReadPosted = true;
        try { _headRead = _socket.ReceiveAsync(ReadBuffer.AsMemory(), SocketFlags.None); }
        catch (Exception ex) { _headRead = ValueTask.FromException<int>(ex); }
    }

    /// <summary>Whether the posted head read has completed: the backend sent bytes, closed or reset.</summary>
    public bool HeadReadCompleted => _headReadPosted && _headRead.IsCompleted;

    /// <summary>Whether a head read is posted and not yet taken.</summary>
    public bool HeadReadPosted => _headReadPosted;

    /// <summary>The posted head read, handed to the exchange that awaits it (once).</summary>
    public ValueTask<int> TakeHeadRead()
    {
        var read = _headRead;
        _headRead = default;
        _headReadPosted = false;
        return read;
    }

    /// <summary>Starts one exchange: arms the idle timer and cuts the socket if the client leaves.</summary>
    public void Begin(TimeSpan timeout, CancellationToken clientAborted, CancellationToken callerCanceled)
    {
        Requests++;
        BytesSent = 0;
        BytesReceived = 0;
        var previousTimeoutMs = _timeoutMs;
        _timeoutMs = (long)timeout.TotalMilliseconds;
        _lastActivity = Environment.TickCount64;
        Volatile.Write(ref _state, Busy);
        // The timer stays armed across requests (it re-arms itself while the connection is busy), so
        // a request only pays for a timer change when the connection was idle long enough to disarm it.
        // A shorter timeout than the armed one (a reload changed the pool) re-arms at once.
        if (Interlocked.CompareExchange(ref _armed, 1, 0) == 0 || _timeoutMs < previousTimeoutMs) _timer.Change(timeout, Timeout.InfiniteTimeSpan);
        if (clientAborted.CanBeCanceled)
            _clientAborted = clientAborted.UnsafeRegister(static state => ((Http1Connection)state!).Abort(AbortReason.Client), this);
        // The caller giving up counts as a timeout, as it does for YarpUpstream.
        if (callerCanceled.CanBeCanceled)
            _callerCanceled = callerCanceled.UnsafeRegister(static state => ((Http1Connection)state!).Abort(AbortReason.TimedOut), this);
    }

    /// <summary>Ends the exchange; true when nothing cut the connection meanwhile.</summary>
    public bool End()
    {
        // Waits for a running callback, so after this only the timer can still try to abort.
        _clientAborted.Dispose();
        _clientAborted = default;
        _callerCanceled.Dispose();
        _callerCanceled = default;
        // Busy → Idle, unless an abort won first; from Idle a late timer can no longer cut the socket.
        return Interlocked.CompareExchange(ref _state, Idle, Busy) == Busy;
    }

    /// <summary>The socket, for receives awaited directly by the exchange (a wrapper would cost a state machine per read).</summary>
    public Socket Socket => _socket;

    /// <summary>Records progress, pushing the idle timeout back.</summary>
    public void Touch() => _lastActivity = Environment.TickCount64;

    /// <summary>Bytes sent to the backend since <see cref="Begin"/>.</summary>
    public long BytesSent { get; private set; }

    /// <summary>Bytes read from the backend since <see cref="Begin"/>.</summary>
    public long BytesReceived { get; private set; }

    /// <summary>A read of <paramref name="count"/> bytes from the socket: counts them and marks activity.</summary>
    public void Received(int count)
    {
        BytesReceived += count;
        Touch();
    }

    /// <summary>Sends all of <paramref name="buffer"/>; completes without a state machine when the kernel takes it at once (the usual case).</summary>
    public ValueTask SendAsync(ReadOnlyMemory<byte> buffer)
    {
        var pending = _socket.SendAsync(buffer, SocketFlags.None);
        if (pending.IsCompletedSuccessfully && pending.Result == buffer.Length)
        {
            BytesSent += buffer.Length;
            Touch();
            return default;
        }
        return SendRestAsync(pending, buffer);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendRestAsync(ValueTask<int> pending, ReadOnlyMemory<byte> buffer)
    {
        while (true)
        {
            var sent = await pending;
            BytesSent += sent;
            Touch();
            buffer = buffer[sent..];
            if (buffer.IsEmpty) return;
            pending = _socket.SendAsync(buffer, SocketFlags.None);
        }
    }

    private void OnTimer()
    {
        if (Volatile.Read(ref _state) != Busy)
        {
            // Idle: disarm. A request that began meanwhile saw the timer armed and did not arm it, so re-check.
            Volatile.Write(ref _armed, 0);
            if (Volatile.Read(ref _state) != Busy || Interlocked.CompareExchange(ref _armed, 1, 0) != 0) return;
        }
        var idle = Environment.TickCount64 - Volatile.Read(ref _lastActivity);
        var timeout = Volatile.Read(ref _timeoutMs);
        if (idle >= timeout) Abort(AbortReason.TimedOut);
        else
        {
            try { _timer.Change(timeout - idle, Timeout.Infinite); }
            catch (ObjectDisposedException) { }
        }
    }

    /// <summary>Cuts the socket of a connection in use so a pending send or receive fails at once; the first reason wins.</summary>
    public void Abort(AbortReason reason)
    {
        if (Interlocked.CompareExchange(ref _state, AbortedState, Busy) != Busy) return;
        Volatile.Write(ref _abortReason, (int)reason);
        _socket.Dispose();
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _timer.Dispose();
        _clientAborted.Dispose();
        _socket.Dispose();
        ArrayPool<byte>.Shared.Return(ReadBuffer);
        ArrayPool<byte>.Shared.Return(WriteBuffer);
    }
}
