namespace Vigil.Caching.Rules;

/// <summary>
/// When a stale response may be served without validation: stale-while-revalidate and stale-if-error (RFC 5861)
/// and the operator's grace period for origins that are down (RFC 9111 §4.2.4 allows disconnected serving).
/// </summary>
public static class StaleUse
{
    /// <summary>
    /// must-revalidate, proxy-revalidate and unqualified no-cache forbid serving stale in any case
    /// (RFC 9111 §4.2.4, §5.2.2.2, §5.2.2.4, §5.2.2.8).
    /// </summary>
    public static bool ForbiddenByOrigin(in CacheControl response) =>
        response.Has(CacheDirectives.MustRevalidate) || response.Has(CacheDirectives.ProxyRevalidate) || response.Has(CacheDirectives.NoCache);

    /// <summary>
    /// stale-while-revalidate=N: serve stale up to N seconds past expiry while refreshing (RFC 5861 §3).
    /// s-maxage implies proxy-revalidate (RFC 9111 §5.2.2.10), but an origin that sends stale-while-revalidate
    /// next to s-maxage has explicitly allowed it, so that explicit permission is honoured, as CDNs do.
    /// <paramref name="fallback"/> is the cache's configured default for a response that carries no such
    /// extension (the origin's own value, even 0, wins); like grace it is not the origin's permission, so it
    /// does not apply under s-maxage.
    /// </summary>
    public static bool WhileRevalidate(in CacheControl response, TimeSpan staleness, TimeSpan fallback = default)
    {
        if (ForbiddenByOrigin(response)) return false;
        if (response.StaleWhileRevalidate >= 0) return staleness <= TimeSpan.FromSeconds(response.StaleWhileRevalidate);
        return fallback > TimeSpan.Zero && response.SMaxAge < 0 && staleness <= fallback;
    }

    /// <summary>
    /// Serve stale when the origin failed or answered 5xx: the response's or the request's stale-if-error
    /// (RFC 5861 §4), the cache's configured default for a response that carries none
    /// (<paramref name="fallback"/>), or the configured grace; the last two not when s-maxage asked for
    /// proxy-revalidate semantics.
    /// </summary>
    public static bool OnError(in CacheControl request, in CacheControl response, TimeSpan staleness, TimeSpan grace, TimeSpan fallback = default)
    {
        if (ForbiddenByOrigin(response)) return false;
        if (response.StaleIfError >= 0 && staleness <= TimeSpan.FromSeconds(response.StaleIfError)) return true;
        if (request.StaleIfError >= 0 && staleness <= TimeSpan.FromSeconds(request.StaleIfError)) return true;
        if (response.SMaxAge >= 0) return false;
        if (response.StaleIfError < 0 && fallback > TimeSpan.Zero && staleness <= fallback) return true;
        return staleness <= grace;
    }

    /// <summary>Errors for which stale-if-error applies: 500, 502, 503, 504 (RFC 5861 §4), widened to any 5xx.</summary>
    public static bool IsOriginError(int status) => status >= 500;
}
