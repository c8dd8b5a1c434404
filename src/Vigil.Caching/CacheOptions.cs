namespace Vigil.Caching;

/// <summary>One cache as configured under <c>caches:</c>; validated once at the edge by <see cref="Validate"/>.</summary>
public sealed record CacheOptions
{
    public const long MiB = 1024 * 1024;

    /// <summary>The cache's name in config, metrics (tag <c>cache</c>) and /api/status.</summary>
    public required string Name { get; init; }

    /// <summary>Byte budget of the memory store (<c>memory: 256MiB</c>).</summary>
    public long MemoryBytes { get; init; } = 256 * MiB;

    /// <summary>Largest response body stored (<c>max_object_size</c>); larger ones stream through uncached.</summary>
    public long MaxObjectBytes { get; init; } = 8 * MiB;

    /// <summary><see cref="MaxObjectBytes"/>, but never more than a quarter of the memory budget.</summary>
    public long EffectiveMaxObjectBytes => Math.Min(MaxObjectBytes, MemoryBytes / 4);

    /// <summary>How long past expiry a stored response may be served when the origin fails or answers 5xx.</summary>
    public TimeSpan Grace { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Store responses carrying Set-Cookie (off: they are usually per user).</summary>
    public bool StoreSetCookie { get; init; }

    /// <summary>How long an uncacheable answer sends later requests for its key straight to the origin.</summary>
    public TimeSpan HitForPassTtl { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>How long a collapsed request waits for the fetch in flight before going to the origin itself.</summary>
    public TimeSpan CollapseTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>RFC 5861 stale-while-revalidate applied when the response carries none (<c>stale_while_revalidate</c>); zero: only what the origin says.</summary>
    public TimeSpan StaleWhileRevalidate { get; init; } = TimeSpan.Zero;

    /// <summary>RFC 5861 stale-if-error applied when the response carries none (<c>stale_if_error</c>); zero: only what the origin says.</summary>
    public TimeSpan StaleIfError { get; init; } = TimeSpan.Zero;

    /// <summary>Optional disk store directory (<c>disk: { path, size }</c>); null for memory only.</summary>
    public string? DiskPath { get; init; }

    /// <summary>Byte budget of the disk store.</summary>
    public long DiskBytes { get; init; }

    /// <summary>Every problem with these options, empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Name)) errors.Add("cache name is empty");
        if (MemoryBytes < 64 * 1024) errors.Add($"cache {Name}: memory must be at least 64KiB");
        if (MaxObjectBytes < 1) errors.Add($"cache {Name}: max_object_size must be positive");
        if (Grace < TimeSpan.Zero) errors.Add($"cache {Name}: grace must not be negative");
        if (HitForPassTtl < TimeSpan.Zero) errors.Add($"cache {Name}: hit_for_pass must not be negative");
        if (CollapseTimeout <= TimeSpan.Zero) errors.Add($"cache {Name}: collapse_timeout must be positive");
        if (DiskPath is not null && (DiskBytes <= 0 || DiskBytes < EffectiveMaxObjectBytes)) errors.Add($"cache {Name}: disk size must be at least max_object_size");
        return errors;
    }
}
