namespace Vigil.Balancing;

/// <summary>Per-backend counters, updated with interlocked operations on the data path.</summary>
public sealed class BackendCounters
{
    internal long _active;
    internal long _requests;
    internal long _failures;
    internal long _connectFailures;
    internal long _bytesIn;
    internal long _bytesOut;
    internal long _checksOk;
    internal long _checksFailed;

    /// <summary>Requests (L7) or connections (L4) in flight.</summary>
    public long Active => Volatile.Read(ref _active);
    public long Requests => Volatile.Read(ref _requests);
    public long Failures => Volatile.Read(ref _failures);
    public long ConnectFailures => Volatile.Read(ref _connectFailures);
    public long BytesIn => Volatile.Read(ref _bytesIn);
    public long BytesOut => Volatile.Read(ref _bytesOut);
    /// <summary>Active health probes that passed.</summary>
    public long ChecksOk => Volatile.Read(ref _checksOk);
    /// <summary>Active health probes that failed (refused, timed out, wrong status...).</summary>
    public long ChecksFailed => Volatile.Read(ref _checksFailed);

    public void AddBytes(long fromBackend, long toBackend)
    {
        if (fromBackend != 0) Interlocked.Add(ref _bytesIn, fromBackend);
        if (toBackend != 0) Interlocked.Add(ref _bytesOut, toBackend);
    }

    public void CountConnectFailure() => Interlocked.Increment(ref _connectFailures);
}
