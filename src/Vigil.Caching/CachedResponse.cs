using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using Vigil.Caching.Rules;
using Vigil.Caching.Stores;

namespace Vigil.Caching;

/// <summary>Writes a stored response to a client: Age, Cache-Status, and 304 for a matching conditional.</summary>
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

        response.StatusCode = notModified ? StatusCodes.Status304NotModified : entry.StatusCode;
        var headers = response.Headers;
        var noCacheFields = validated ? null : entry.Control.NoCacheFields;
        foreach (var field in entry.Headers)
        {
            // A 304 carries only the fields RFC 9110 §15.4.5 requires.
            if (notModified && !AllowedIn304(field.Key)) continue;
            // Fields named by a qualified no-cache are not reused without validation (RFC 9111 §5.2.2.4).
            if (noCacheFields is not null && StoredHeaders.ListContains(noCacheFields, field.Key)) continue;
            headers[field.Key] = field.Value;
        }
        // Age is mandatory on responses served from cache (RFC 9111 §5.1).
        var age = CacheAge.Seconds(entry.Age(now));
        headers.Age = age < SmallNumbers.Length ? SmallNumbers[age] : age.ToString(System.Globalization.CultureInfo.InvariantCulture);
        headers.Append(CacheStatusValue.HeaderName, cacheStatus);

        if (notModified || entry.StatusCode is 204 or 304) return Task.CompletedTask;
        response.ContentLength = entry.Body.Length;
        if (HttpMethods.IsHead(request.Method) || entry.Body.Length == 0) return Task.CompletedTask;
        return response.Body.WriteAsync(entry.Body, context.RequestAborted).AsTask();
    }

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
