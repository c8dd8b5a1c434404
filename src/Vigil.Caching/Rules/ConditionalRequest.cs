using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Vigil.Caching.Rules;

/// <summary>Answers a client's conditional GET/HEAD from a stored response (RFC 9111 §4.3.2, RFC 9110 §13.1).</summary>
public static class ConditionalRequest
{
    public static bool HasConditions(IHeaderDictionary request) =>
        request.ContainsKey(HeaderNames.IfNoneMatch) || request.ContainsKey(HeaderNames.IfModifiedSince);

    /// <summary>True when the client's copy is current, so 304 is the answer.</summary>
    public static bool IsNotModified(IHeaderDictionary request, string? etag, DateTimeOffset? lastModified, DateTimeOffset? date)
    {
        var ifNoneMatch = request[HeaderNames.IfNoneMatch];
        if (ifNoneMatch.Count > 0)
        {
            // If-None-Match takes precedence over If-Modified-Since (RFC 9110 §13.1.3); weak comparison (§13.1.2).
            return etag is not null && MatchesAny(ifNoneMatch, etag);
        }
        var ims = HttpDates.Parse(request[HeaderNames.IfModifiedSince]);
        if (ims is null) return false;
        // Compare with Last-Modified, else the stored Date (RFC 9111 §4.3.2).
        var validator = lastModified ?? date;
        return validator is not null && validator.Value <= ims.Value;
    }

    /// <summary>Weak comparison against an If-None-Match list; "*" matches any current representation.</summary>
    public static bool MatchesAny(StringValues list, string etag)
    {
        var opaque = Opaque(etag);
        for (var i = 0; i < list.Count; i++)
        {
            var v = (list[i] ?? "").AsSpan();
            while (!v.IsEmpty)
            {
                var comma = v.IndexOf(',');
                var item = (comma < 0 ? v : v[..comma]).Trim();
                if (item.SequenceEqual("*") || Opaque(item).SequenceEqual(opaque)) return true;
                v = comma < 0 ? default : v[(comma + 1)..];
            }
        }
        return false;
    }

    /// <summary>True for a strong entity-tag (no W/ prefix).</summary>
    public static bool IsStrong(string etag) => !etag.StartsWith("W/", StringComparison.Ordinal);

    private static ReadOnlySpan<char> Opaque(ReadOnlySpan<char> etag) =>
        etag.StartsWith("W/") ? etag[2..] : etag;
}
