using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Vigil.Caching.Rules;

/// <summary>Which stored responses an unsafe request invalidates (RFC 9111 §4.4).</summary>
public static class Invalidation
{
    /// <summary>An unsafe method with a non-error (2xx or 3xx) response invalidates (RFC 9111 §4.4).</summary>
    public static bool Applies(string method, int status) =>
        !IsSafe(method) && status >= 200 && status < 400;

    /// <summary>Safe methods (RFC 9110 §9.2.1).</summary>
    public static bool IsSafe(string method) =>
        HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method);

    /// <summary>
    /// The cache keys to invalidate: the target URI, and the Location and Content-Location URIs when they
    /// share its origin (a cache MUST NOT invalidate other origins, to avoid denial of service).
    /// </summary>
    public static List<string> Keys(string scheme, string host, string target, IHeaderDictionary responseHeaders)
    {
        var requestKey = CacheKey.Build(scheme, host, target);
        var keys = new List<string>(3) { requestKey };
        if (!Uri.TryCreate(requestKey, UriKind.Absolute, out var baseUri)) return keys;
        Add(keys, baseUri, responseHeaders[HeaderNames.Location]);
        Add(keys, baseUri, responseHeaders[HeaderNames.ContentLocation]);
        return keys;
    }

    private static void Add(List<string> keys, Uri baseUri, Microsoft.Extensions.Primitives.StringValues value)
    {
        if (value.Count != 1 || string.IsNullOrEmpty(value[0])) return;
        if (!Uri.TryCreate(baseUri, value[0], out var uri)) return;
        if (!string.Equals(uri.Scheme, baseUri.Scheme, StringComparison.OrdinalIgnoreCase)
            || !string.Equals(uri.Host, baseUri.Host, StringComparison.OrdinalIgnoreCase)
            || uri.Port != baseUri.Port)
            return;
        var key = CacheKey.Build(uri.Scheme, uri.IsDefaultPort ? uri.Host : uri.Authority, uri.PathAndQuery);
        if (!keys.Contains(key)) keys.Add(key);
    }
}
