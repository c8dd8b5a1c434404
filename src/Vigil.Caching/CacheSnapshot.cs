namespace Vigil.Caching;

/// <summary>A cheap point-in-time view of one cache for /api/status.</summary>
public sealed record CacheSnapshot(
    string Name,
    long Hits,
    long Misses,
    long StaleServed,
    long Revalidations,
    long Collapsed,
    long HitForPass,
    long Stored,
    long Entries,
    long Bytes,
    long MemoryBytes,
    long Evictions,
    long DiskEntries,
    long DiskBytes);
