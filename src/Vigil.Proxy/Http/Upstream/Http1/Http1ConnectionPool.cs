using System.Collections.Concurrent;

namespace Vigil.Proxy.Http.Upstream.Http1;

/// <summary>
/// The idle keep-alive connections to one backend. Lock-free (a <see cref="ConcurrentQueue{T}"/>,
/// which reuses its ring segment once warm, so renting and returning allocate nothing) and capped,
/// so a burst does not leave hundreds of idle sockets behind.
/// </summary>
internal sealed class Http1ConnectionPool
{
    private readonly ConcurrentQueue<Http1Connection> _idle = new();
    private readonly int _maxIdle;
    private readonly long _maxIdleMs;
    private int _count;
    private long _opened;

    public Http1ConnectionPool(int maxIdle, TimeSpan maxIdleTime)
    {
        _maxIdle = maxIdle;
        _maxIdleMs = (long)maxIdleTime.TotalMilliseconds;
    }

    /// <summary>Connections opened to this backend so far (for tests and status).</summary>
    public long Opened => Volatile.Read(ref _opened);
    public int IdleCount => Volatile.Read(ref _count);

    /// <summary>An idle connection still fit for a request, or null; unfit ones are closed on the way.</summary>
    /// <param name="probe">
    /// Ask the socket whether the backend closed it (a poll(2) per request). A request that may be
    /// replayed skips it: if the backend closed the connection, no response byte comes back and the
    /// request is sent again on a fresh connection, so the common GET saves a system call.
    /// </param>
    public Http1Connection? Rent(bool probe)
    {
        var now = Environment.TickCount64;
        while (_idle.TryDequeue(out var connection))
        {
            Interlocked.Decrement(ref _count);
            if (connection.IsReusable(now, _maxIdleMs, probe)) return connection;
            connection.Dispose();
        }
        return null;
    }

    public void CountOpened() => Interlocked.Increment(ref _opened);

    /// <summary>Keeps a connection that ended its exchange cleanly, or closes it when the pool is full.</summary>
    public void Return(Http1Connection connection)
    {
        if (Interlocked.Increment(ref _count) > _maxIdle)
        {
            Interlocked.Decrement(ref _count);
            connection.Dispose();
            return;
        }
        connection.IdleSince = Environment.TickCount64;
        _idle.Enqueue(connection);
    }

    /// <summary>Closes every idle connection (the upstream is being disposed).</summary>
    public void Clear()
    {
        while (_idle.TryDequeue(out var connection))
        {
            Interlocked.Decrement(ref _count);
            connection.Dispose();
        }
    }
}
