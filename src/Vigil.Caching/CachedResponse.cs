using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using Vigil.Caching.Rules;
using Vigil.Caching.Stores;

namespace Vigil.Caching;

/// <summary>
/// Writes a stored response to a client: Age, Cache-Status, 304 for a matching conditional, and 206/416 for a
/// byte range of a stored 200 (RFC 9110 §14).
/// </summary>
internal static class CachedResponse
{
    private static readonly string[] SmallNumbers = [.. Enumerable.Range(0, 1024).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    public static Task WriteAsync(HttpContext context, CacheEntry entry, DateTimeOffset now, string cacheStatus, bool validated)
    {
        var request = context.Request;
        var response = context.Response;
        var notModified = entry.StatusCode == 200
            && ConditionalRequest.HasConditions(request.Headers)
            && ConditionalRequest.IsNotModified(request.Headers, entry.ETag, entry.LastModified, entry.Date);
        // RFC 9110 §13.2.2: Range is evaluated after the conditionals, so a 304 wins over a range.
        var range = notModified
            ? RangeAnswer.Full
            : RangeRequest.Decide(request.Method, request.Headers, entry.StatusCode, entry.Body.Length, entry.AcceptsRanges,
                entry.ETag, entry.LastModified, entry.Date);

        response.StatusCode = notModified ? StatusCodes.Status304NotModified : range.Outcome switch
        {
            RangeOutcome.Partial => StatusCodes.Status206PartialContent,
            RangeOutcome.NotSatisfiable => StatusCodes.Status416RangeNotSatisfiable,
            _ => entry.StatusCode,
        };
        var unsatisfiable = range.Outcome == RangeOutcome.NotSatisfiable;
        var headers = response.Headers;
        var noCacheFields = validated ? null : entry.Control.NoCacheFields;
        foreach (var field in entry.Headers)
        {
            // A 304 carries only the fields RFC 9110 §15.4.5 requires.
            if (notModified && !AllowedIn304(field.Key)) continue;
            if (unsatisfiable && !AllowedIn416(field.Key)) continue;
            // Fields named by a qualified no-cache are not reused without validation (RFC 9111 §5.2.2.4).
            if (noCacheFields is not null && StoredHeaders.ListContains(noCacheFields, field.Key)) continue;
            headers[field.Key] = field.Value;
        }
        // Age is mandatory on responses served from cache (RFC 9111 §5.1).
        var age = CacheAge.Seconds(entry.Age(now));
        headers.Age = age < SmallNumbers.Length ? SmallNumbers[age] : age.ToString(System.Globalization.CultureInfo.InvariantCulture);
        headers.Append(CacheStatusValue.HeaderName, cacheStatus);

        if (notModified || entry.StatusCode is 204 or 304) return Task.CompletedTask;
        if (range.Outcome != RangeOutcome.Full)
        {
            // A 206 keeps every field of the 200 (it must, without If-Range: RFC 9110 §15.3.7) plus Content-Range
            // (§14.4); a 416 says the current length as "bytes */len" (§15.5.17).
            headers.ContentRange = range.ContentRange(entry.Body.Length);
            response.ContentLength = range.Length;
            if (unsatisfiable || HttpMethods.IsHead(request.Method)) return Task.CompletedTask;
            return response.Body.WriteAsync(entry.Body.AsMemory((int)range.Start, (int)range.Length), context.RequestAborted).AsTask();
        }
        response.ContentLength = entry.Body.Length;
        if (HttpMethods.IsHead(request.Method) || entry.Body.Length == 0) return Task.CompletedTask;
        return response.Body.WriteAsync(entry.Body, context.RequestAborted).AsTask();
    }

    /// <summary>
    /// A 416 has no content, so it keeps the validators and Vary but not the fields describing the body, nor
    /// Cache-Control/Expires: without explicit freshness a 416 is not stored by downstream caches (RFC 9111 §3),
    /// which could otherwise hand it to requests without Range.
    /// </summary>
    private static bool AllowedIn416(string name) =>
        name.Equals(HeaderNames.Date, StringComparison.OrdinalIgnoreCase)
        || name.Equals(HeaderNames.ETag, StringComparison.OrdinalIgnoreCase)
        || name.Equals(HeaderNames.LastModified, StringComparison.OrdinalIgnoreCase)
        || name.Equals(HeaderNames.Vary, StringComparison.OrdinalIgnoreCase)
        || name.Equals(HeaderNames.AcceptRanges, StringComparison.OrdinalIgnoreCase);

    private static bool AllowedIn304(string name) =>
        name.Equals(HeaderNames.CacheControl, StringComparison.OrdinalIgnoreCase)
        || name.Equals(HeaderNames.ContentLocation, StringComparison.OrdinalIgnoreCase)
        || name.Equals(HeaderNames.Date, StringComparison.OrdinalIgnoreCase)
        || name.Equals(HeaderNames.ETag, StringComparison.OrdinalIgnoreCase)
        || name.Equals(HeaderNames.Expires, StringComparison.OrdinalIgnoreCase)
        || name.Equals(HeaderNames.Vary, StringComparison.OrdinalIgnoreCase)
        || name.Equals(HeaderNames.LastModified, StringComparison.OrdinalIgnoreCase)
        || name.Equals(CacheStatusValue.HeaderName, StringComparison.OrdinalIgnoreCase);
}
