namespace Vigil.Caching;

/// <summary>One cache as configured under <c>caches:</c>; validated once at the edge by <see cref="Validate"/>.</summary>
public sealed record CacheOptions
{
    public const long MiB = 1024 * 1024;

    /// <summary>The cache's name in config, metrics (tag <c>cache</c>) and /api/status.</summary>
    public required string Name { get; init; }

    /// <summary>
    /// Byte budget of the memory store (<c>memory: 256MiB</c>); at least 64 KiB, or 0 with a disk store for a
    /// disk-only cache (responses are read from disk at each hit; only hit-for-pass marks stay in memory).
    /// </summary>
    public long MemoryBytes { get; init; } = 256 * MiB;

    /// <summary>Largest response body stored (<c>max_object_size</c>); larger ones stream through uncached.</summary>
    public long MaxObjectBytes { get; init; } = 8 * MiB;

    /// <summary>
    /// <see cref="MaxObjectBytes"/>, but never more than a quarter of the memory budget (of the disk budget for a
    /// disk-only cache), so that one object cannot push out most of the store.
    /// </summary>
    public long EffectiveMaxObjectBytes => Math.Min(MaxObjectBytes, (IsDiskOnly ? DiskBytes : MemoryBytes) / 4);

    /// <summary><c>memory: 0</c> with a disk store: nothing is kept in memory but hit-for-pass marks.</summary>
    public bool IsDiskOnly => MemoryBytes == 0 && DiskPath is not null;

    /// <summary>How long past expiry a stored response may be served when the origin fails or answers 5xx.</summary>
    public TimeSpan Grace { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// <c>stale_while_revalidate</c>: how long past expiry a response that carries no stale-while-revalidate
    /// of its own may be served while one background refresh runs (RFC 5861 §3); zero: none.
    /// </summary>
    public TimeSpan StaleWhileRevalidate { get; init; }

    /// <summary>
    /// <c>stale_if_error</c>: how long past expiry a response that carries no stale-if-error of its own may be
    /// served when the origin fails or answers 5xx (RFC 5861 §4); zero: none (<see cref="Grace"/> still applies).
    /// </summary>
    public TimeSpan StaleIfError { get; init; }

    /// <summary>Store responses carrying Set-Cookie (off: they are usually per user).</summary>
    public bool StoreSetCookie { get; init; }

    /// <summary>How long an uncacheable answer sends later requests for its key straight to the origin.</summary>
    public TimeSpan HitForPassTtl { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>How long a collapsed request waits for the fetch in flight before going to the origin itself.</summary>
    public TimeSpan CollapseTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Optional disk store directory (<c>disk: { path, size }</c>); null for memory only.</summary>
    public string? DiskPath { get; init; }

    /// <summary>Byte budget of the disk store.</summary>
    public long DiskBytes { get; init; }

    /// <summary>Every problem with these options, empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Name)) errors.Add("cache name is empty");
        if (MemoryBytes == 0 && DiskPath is null) errors.Add($"cache {Name}: memory 0 needs a disk store (disk: {{ path, size }})");
        else if (MemoryBytes != 0 && MemoryBytes < 64 * 1024) errors.Add($"cache {Name}: memory must be at least 64KiB (or 0 with a disk store)");
        if (MaxObjectBytes < 1) errors.Add($"cache {Name}: max_object_size must be positive");
        // A stored body is one array.
        else if (MaxObjectBytes > Array.MaxLength) errors.Add($"cache {Name}: max_object_size must be less than 2GiB");
        if (Grace < TimeSpan.Zero) errors.Add($"cache {Name}: grace must not be negative");
        if (StaleWhileRevalidate < TimeSpan.Zero) errors.Add($"cache {Name}: stale_while_revalidate must not be negative");
        if (StaleIfError < TimeSpan.Zero) errors.Add($"cache {Name}: stale_if_error must not be negative");
        if (HitForPassTtl < TimeSpan.Zero) errors.Add($"cache {Name}: hit_for_pass must not be negative");
        if (CollapseTimeout <= TimeSpan.Zero) errors.Add($"cache {Name}: collapse_timeout must be positive");
        if (DiskPath is not null && (DiskBytes <= 0 || DiskBytes < EffectiveMaxObjectBytes)) errors.Add($"cache {Name}: disk size must be at least max_object_size");
        return errors;
    }
}
