namespace Vigil.Caching;

/// <summary>Values of the Cache-Status response field (RFC 9211) this cache emits.</summary>
internal static class CacheStatusValue
{
    public const string HeaderName = "Cache-Status";

    public const string Hit = "Vigil; hit";
    public const string MaxStale = "Vigil; hit; detail=max-stale";
    public const string StaleWhileRevalidate = "Vigil; hit; detail=stale-while-revalidate";
    public const string Method = "Vigil; fwd=method";
    public const string Range = "Vigil; fwd=request; detail=range";
    public const string OnlyIfCached = "Vigil; detail=only-if-cached";
    /// <summary>The key is longer than <see cref="CacheKey.MaxLength"/>: the cache steps aside (RFC 9211 §2.2 fwd=bypass).</summary>
    public const string KeyTooLong = "Vigil; fwd=bypass; detail=key-too-long";

    /// <summary>A response that went to the origin: <c>fwd</c> says why, <c>stored</c> or <c>detail</c> what became of it.</summary>
    public static string Forwarded(string fwd, int status, bool stored, string? detail)
    {
        var s = $"Vigil; fwd={fwd}";
        if (fwd == "stale") s += $"; fwd-status={status}";
        if (stored) s += "; stored";
        if (detail is not null) s += $"; detail={detail}";
        return s;
    }

    /// <summary>A stored response revalidated with a 304 (RFC 9211 §2.3, §2.4).</summary>
    public static string Revalidated(string fwd) => fwd == "stale" ? "Vigil; fwd=stale; fwd-status=304" : $"Vigil; fwd={fwd}; fwd-status=304";

    /// <summary>A stale response served because the origin failed.</summary>
    public static string StaleOnError(int status) =>
        status > 0 ? $"Vigil; hit; fwd=stale; fwd-status={status}; detail=stale-if-error" : "Vigil; hit; fwd=stale; detail=stale-if-error";

    /// <summary>A response obtained by another request's fetch (RFC 9211 §2.8).</summary>
    public static string Collapsed(string fwd) => $"Vigil; fwd={fwd}; collapsed";
}
