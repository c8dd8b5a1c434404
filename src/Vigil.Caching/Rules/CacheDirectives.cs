namespace Vigil.Caching.Rules;

/// <summary>Cache-Control directives that carry no argument (or whose argument is optional), as flags.</summary>
[Flags]
public enum CacheDirectives : ushort
{
    None = 0,
    NoStore = 1 << 0,
    /// <summary>Unqualified no-cache (a qualified one sets <see cref="CacheControl.NoCacheFields"/> instead).</summary>
    NoCache = 1 << 1,
    /// <summary>Unqualified private (a qualified one sets <see cref="CacheControl.PrivateFields"/> instead).</summary>
    Private = 1 << 2,
    Public = 1 << 3,
    MustRevalidate = 1 << 4,
    ProxyRevalidate = 1 << 5,
    OnlyIfCached = 1 << 6,
    Immutable = 1 << 7,
    MustUnderstand = 1 << 8,
    NoTransform = 1 << 9,
    /// <summary>max-stale without a value: any staleness is acceptable (RFC 9111 §5.2.1.2).</summary>
    MaxStaleAny = 1 << 10,
}
