namespace Vigil.Caching.Rules;

/// <summary>Whether a stored response can answer a request without contacting the origin (RFC 9111 §4, §4.2, §5.2.1).</summary>
public static class Reuse
{
    /// <param name="pragmaNoCache">The request carried <c>Pragma: no-cache</c>.</param>
    public static ReuseVerdict Decide(in CacheControl request, bool pragmaNoCache, in CacheControl response, TimeSpan age, TimeSpan lifetime)
    {
        // Unqualified no-cache in the response: never reuse without successful validation (RFC 9111 §5.2.2.4).
        if (response.Has(CacheDirectives.NoCache)) return ReuseVerdict.ResponseValidation;

        // Request no-cache; Pragma: no-cache counts only when the request has no Cache-Control (RFC 9111 §5.2.1.4, §5.4).
        if (request.Has(CacheDirectives.NoCache) || (pragmaNoCache && !request.Present)) return ReuseVerdict.RequestValidation;

        // response_is_fresh = freshness_lifetime > current_age (RFC 9111 §4.2).
        var fresh = lifetime > age;

        // A reload (max-age) does not revalidate a fresh immutable response (RFC 8246 §2.1).
        var immutableFresh = fresh && response.Has(CacheDirectives.Immutable);
        if (request.MaxAge >= 0 && age > TimeSpan.FromSeconds(request.MaxAge) && !immutableFresh) return ReuseVerdict.RequestValidation;

        // min-fresh: the response must stay fresh for at least that long (RFC 9111 §5.2.1.3).
        if (request.MinFresh >= 0 && lifetime - age < TimeSpan.FromSeconds(request.MinFresh)) return ReuseVerdict.RequestValidation;

        if (fresh) return ReuseVerdict.Fresh;

        // max-stale accepts stale responses unless the origin forbids serving them stale (RFC 9111 §5.2.1.2, §4.2.4).
        if (!StaleUse.ForbiddenByOrigin(response) && response.SMaxAge < 0)
        {
            var staleness = age - lifetime;
            if (request.Has(CacheDirectives.MaxStaleAny)) return ReuseVerdict.StaleAccepted;
            if (request.MaxStale >= 0 && staleness <= TimeSpan.FromSeconds(request.MaxStale)) return ReuseVerdict.StaleAccepted;
        }
        return ReuseVerdict.Stale;
    }
}
