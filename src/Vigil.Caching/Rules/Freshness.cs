using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Vigil.Caching.Rules;

/// <summary>Freshness lifetime of a response for a shared cache (RFC 9111 §4.2.1, §4.2.2).</summary>
public static class Freshness
{
    /// <summary>Fraction of (Date − Last-Modified) used as heuristic lifetime, as RFC 9111 §4.2.2 suggests.</summary>
    public const double HeuristicFraction = 0.1;

    /// <param name="responseTime">When the response was received; stands in for a missing Date (RFC 9110 §6.6.1).</param>
    public static TimeSpan Lifetime(int status, in CacheControl response, IHeaderDictionary headers, DateTimeOffset responseTime)
        => Lifetime(status, response, headers, responseTime, out _);

    public static TimeSpan Lifetime(int status, in CacheControl response, IHeaderDictionary headers, DateTimeOffset responseTime, out bool heuristic)
    {
        heuristic = false;
        // A shared cache prefers s-maxage, then max-age, then Expires − Date (RFC 9111 §4.2.1).
        if (response.SMaxAge >= 0) return TimeSpan.FromSeconds(response.SMaxAge);
        if (response.MaxAge >= 0) return TimeSpan.FromSeconds(response.MaxAge);

        var date = HttpDates.Parse(headers[HeaderNames.Date]) ?? responseTime;
        var expiresField = headers[HeaderNames.Expires];
        if (expiresField.Count > 0)
        {
            // An invalid Expires (e.g. "0") means already expired (RFC 9111 §5.3).
            var expires = HttpDates.Parse(expiresField);
            if (expires is null) return TimeSpan.Zero;
            var delta = expires.Value - date;
            return delta > TimeSpan.Zero ? delta : TimeSpan.Zero;
        }

        // Heuristic freshness only for heuristically cacheable statuses or public (RFC 9111 §4.2.2).
        if (Storability.IsHeuristicallyCacheable(status) || response.Has(CacheDirectives.Public))
        {
            var lastModified = HttpDates.Parse(headers[HeaderNames.LastModified]);
            if (lastModified is not null && lastModified.Value < date)
            {
                heuristic = true;
                return TimeSpan.FromTicks((long)((date - lastModified.Value).Ticks * HeuristicFraction));
            }
        }
        return TimeSpan.Zero;
    }
}
