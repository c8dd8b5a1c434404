namespace Vigil.Config;

/// <summary>An RFC 9111 shared cache store that routes may name with <c>cache:</c>.</summary>
public sealed record CacheConfig
{
    public const long DefaultMemory = 256L << 20;
    public const long DefaultMaxObjectSize = 16L << 20;

    public required string Name { get; init; }
    /// <summary>Byte budget of the memory store.</summary>
    public long Memory { get; init; } = DefaultMemory;
    /// <summary>Optional disk store that survives restarts.</summary>
    public DiskStoreConfig? Disk { get; init; }
    /// <summary>Larger responses pass through uncached. Default 16 MiB, capped at the smallest store.</summary>
    public long MaxObjectSize { get; init; } = DefaultMaxObjectSize;
    /// <summary>How long past expiry an entry may be served when every backend is down or answers 5xx.</summary>
    public TimeSpan Grace { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Store responses carrying Set-Cookie (off: never hand one user's cookie to another).</summary>
    public bool StoreSetCookie { get; init; }
    /// <summary>RFC 5861 stale-while-revalidate applied when the response does not say; zero: only what the origin says.</summary>
    public TimeSpan StaleWhileRevalidate { get; init; } = TimeSpan.Zero;
    /// <summary>RFC 5861 stale-if-error applied when the response does not say.</summary>
    public TimeSpan StaleIfError { get; init; } = TimeSpan.Zero;
    /// <summary>How long requests collapsed behind one origin fetch wait before going to the origin themselves.</summary>
    public TimeSpan CollapseTimeout { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>How long an uncacheable answer is remembered so its key skips collapsing (hit-for-pass).</summary>
    public TimeSpan HitForPass { get; init; } = TimeSpan.FromMinutes(2);
}

/// <summary>The on-disk store of a cache.</summary>
public sealed record DiskStoreConfig(string Path, long Size);
