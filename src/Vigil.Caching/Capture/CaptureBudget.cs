namespace Vigil.Caching.Capture;

/// <summary>
/// A hard cap on the bytes held by all response bodies being captured at once, so that many concurrent
/// large misses cannot hold more memory than the store itself would. A capture that cannot reserve its
/// next bytes stops copying and the response streams through uncached.
/// </summary>
internal sealed class CaptureBudget(long limit)
{
    private long _used;

    public long Limit { get; } = limit;
    public long Used => Interlocked.Read(ref _used);

    public bool TryReserve(long bytes)
    {
        while (true)
        {
            var used = Interlocked.Read(ref _used);
            if (used + bytes > Limit) return false;
            if (Interlocked.CompareExchange(ref _used, used + bytes, used) == used) return true;
        }
    }

    public void Release(long bytes) => Interlocked.Add(ref _used, -bytes);
}
