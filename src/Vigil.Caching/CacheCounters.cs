namespace Vigil.Caching;

/// <summary>Monotonic counters of one cache; incremented lock-free, read by metrics and /api/status.</summary>
public sealed class CacheCounters
{
    internal long HitCount, MissCount, StaleServedCount, RevalidationCount, NotModifiedCount, CollapsedCount, PassCount, StoredCount, BypassCount, InvalidationCount, IncompleteCount, RejectedCount;

    /// <summary>Fresh responses served from the store.</summary>
    public long Hits => Interlocked.Read(ref HitCount);
    /// <summary>Requests that found nothing usable and went to the origin.</summary>
    public long Misses => Interlocked.Read(ref MissCount);
    /// <summary>Stale responses served (max-stale, stale-while-revalidate, stale-if-error, grace).</summary>
    public long StaleServed => Interlocked.Read(ref StaleServedCount);
    /// <summary>Conditional requests sent to the origin for stored responses.</summary>
    public long Revalidations => Interlocked.Read(ref RevalidationCount);
    /// <summary>Revalidations answered 304 that refreshed a stored response.</summary>
    public long NotModified => Interlocked.Read(ref NotModifiedCount);
    /// <summary>Requests served from another request's origin fetch.</summary>
    public long Collapsed => Interlocked.Read(ref CollapsedCount);
    /// <summary>Requests sent straight to the origin because the key recently proved uncacheable.</summary>
    public long HitForPass => Interlocked.Read(ref PassCount);
    /// <summary>Responses stored.</summary>
    public long Stored => Interlocked.Read(ref StoredCount);
    /// <summary>Requests the cache does not handle (methods other than GET/HEAD, ranges on a miss, keys over <see cref="CacheKey.MaxLength"/>).</summary>
    public long Bypassed => Interlocked.Read(ref BypassCount);
    /// <summary>Stored responses invalidated by unsafe requests (RFC 9111 §4.4).</summary>
    public long Invalidations => Interlocked.Read(ref InvalidationCount);
    /// <summary>Storable responses not stored because the forwarder did not report them complete (truncated, timed out...).</summary>
    public long Incomplete => Interlocked.Read(ref IncompleteCount);
    /// <summary>Responses not stored because evaluating or storing them failed (each logged as one line with the reason).</summary>
    public long Rejected => Interlocked.Read(ref RejectedCount);
}
