using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Vigil.Caching;

/// <summary>
/// The primary cache key: scheme, host and the full request target (RFC 9111 §2), so that responses of one
/// host or one query string are never served for another. Hosts are lower-cased and default ports dropped.
/// </summary>
public static class CacheKey
{
    /// <summary>
    /// The longest key (in characters) the cache stores or marks; longer ones pass through uncached. 4 KiB holds
    /// any real URL with its host (browsers and CDNs keep URLs far shorter; nginx refuses to cache a key that does
    /// not fit its 4 KiB-page proxy_buffer_size: "cache key too large"), while a hostile 30 KB Host header or
    /// query cannot make every mark cost kilobytes. Keys are UTF-16 strings: at most 8 KiB each in memory.
    /// </summary>
    public const int MaxLength = 4096;

    public static string For(HttpContext context) =>
        Build(context.Request.Scheme, context.Request.Host.Value ?? "", Target(context));

    /// <summary>The request target as received (origin-form), or rebuilt from path and query.</summary>
    public static string Target(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (!string.IsNullOrEmpty(raw) && raw[0] == '/') return raw;
        var request = context.Request;
        return string.Concat(request.PathBase.ToUriComponent(), request.Path.ToUriComponent(), request.QueryString.ToUriComponent());
    }

    public static string Build(string scheme, string host, string target)
    {
        if (string.IsNullOrEmpty(target)) target = "/";
        var defaultPort = scheme.Equals("https", StringComparison.OrdinalIgnoreCase) ? ":443" : ":80";
        if (host.EndsWith(defaultPort, StringComparison.Ordinal)) host = host[..^defaultPort.Length];
        return string.Concat(scheme.ToLowerInvariant(), "://", host.ToLowerInvariant(), target);
    }

    /// <summary>Normalises an operator-supplied absolute URL (purge) into the key form.</summary>
    public static string? FromUrl(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri)) return null;
        return Build(uri.Scheme, uri.IsDefaultPort ? uri.Host : uri.Authority, uri.PathAndQuery);
    }
}
