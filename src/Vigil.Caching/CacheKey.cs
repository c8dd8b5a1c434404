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

    /// <summary>
    /// The key an operator-supplied absolute URL (a purge) names, built by <see cref="Build"/> exactly as storage
    /// builds it: scheme and host lower-cased, the default port dropped, the target kept as spelled. Deliberately
    /// not through <see cref="Uri"/>, whose canonical form decodes <c>%7E</c>, removes dot segments and re-escapes,
    /// so that a purge of the very URL a client requested missed what that request stored. A fragment is never
    /// sent (RFC 9110 §4.2.5) and userinfo never reaches Host, so both are dropped. Null when not http(s).
    /// </summary>
    public static string? FromUrl(string url)
    {
        var schemeEnd = url.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd <= 0) return null;
        var scheme = url[..schemeEnd];
        if (!scheme.Equals("http", StringComparison.OrdinalIgnoreCase) && !scheme.Equals("https", StringComparison.OrdinalIgnoreCase)) return null;
        var rest = url.AsSpan(schemeEnd + 3);
        var fragment = rest.IndexOf('#');
        if (fragment >= 0) rest = rest[..fragment];
        var authorityEnd = rest.IndexOfAny('/', '?');
        var authority = authorityEnd < 0 ? rest : rest[..authorityEnd];
        var userinfo = authority.LastIndexOf('@');
        if (userinfo >= 0) authority = authority[(userinfo + 1)..];
        if (authority.IsEmpty) return null;
        var target = authorityEnd < 0 ? "" : rest[authorityEnd..].ToString();
        // "http://host?q" is the origin-form "/?q" (RFC 9112 §3.2.1: an empty path is sent as "/").
        if (target.StartsWith('?')) target = "/" + target;
        return Build(scheme, authority.ToString(), target);
    }
}
