namespace Vigil.Proxy.Http.Upstream.Http1;

/// <summary>
/// The idle keep-alive connections to one backend: a fixed array of slots taken and filled with
/// Interlocked operations (lock-free, nothing allocated per request), capped so a burst does not
/// leave hundreds of idle sockets behind. Lowest slot first, like a stack: the same few hot
/// connections carry the traffic, and the rest age out and are closed.
/// </summary>
internal sealed class Http1ConnectionPool
{
    private readonly Http1Connection?[] _slots;
    private readonly long _maxIdleMs;
    private int _count;
    private long _opened;

    public Http1ConnectionPool(int maxIdle, TimeSpan maxIdleTime)
    {
        _slots = new Http1Connection?[maxIdle];
        _maxIdleMs = (long)maxIdleTime.TotalMilliseconds;
    }

    /// <summary>Connections opened to this backend so far (for tests and status).</summary>
    public long Opened => Volatile.Read(ref _opened);
    public int IdleCount => Volatile.Read(ref _count);

    /// <summary>An idle connection still fit for a request, or null; unfit ones are closed on the way.</summary>
    /// <remarks>
    /// Every rent, whatever the method, checks whether anything arrived while the connection idled:
    /// a FIN, a reset, or stray bytes, such as a body the backend sent after a HEAD or beyond its
    /// Content-Length. Skipping that for GET once let a stray response reach the next client as its
    /// own. The check reads the state of the head read posted on <see cref="Return"/>, so it costs
    /// no system call.
    /// </remarks>
    public Http1Connection? Rent()
    {
        var slots = _slots;
        long now = 0;
        for (var i = 0; i < slots.Length && Volatile.Read(ref _count) > 0; i++)
        {
            if (Volatile.Read(ref slots[i]) is null) continue;
            var connection = Interlocked.Exchange(ref slots[i], null);
            if (connection is null) continue; // another request took it first
            Interlocked.Decrement(ref _count);
            if (now == 0) now = Environment.TickCount64;
            if (connection.IsReusable(now, _maxIdleMs)) return connection;
            connection.Dispose();
        }
        return null;
    }

    public void CountOpened() => Interlocked.Increment(ref _opened);

    /// <summary>Keeps a connection that ended its exchange cleanly, or closes it when every slot is full.</summary>
    public void Return(Http1Connection connection)
    {
        connection.IdleSince = Environment.TickCount64;
        // Posted before the connection is visible to Rent: from here on, anything the backend sends completes it.
        connection.PostHeadRead();
        // Counted before it is visible, so the count never reads lower than the slots hold and Rent never stops early.
        Interlocked.Increment(ref _count);
        var slots = _slots;
        for (var i = 0; i < slots.Length; i++)
        {
            if (Volatile.Read(ref slots[i]) is not null) continue;
            if (Interlocked.CompareExchange(ref slots[i], connection, null) is null) return;
        }
        Interlocked.Decrement(ref _count);
        connection.Dispose();
    }

    /// <summary>Closes every idle connection (the upstream is being disposed).</summary>
    public void Clear()
    {
        for (var i = 0; i < _slots.Length; i++)
        {
            if (Interlocked.Exchange(ref _slots[i], null) is not { } connection) continue;
            Interlocked.Decrement(ref _count);
            connection.Dispose();
        }
    }
}
