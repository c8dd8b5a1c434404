using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Vigil.Caching.Rules;

/// <summary>Which response header fields are kept with a stored response (RFC 9111 §3.1).</summary>
public static class StoredHeaders
{
    /// <summary>
    /// Connection-specific and proxy fields are never stored (RFC 9111 §3.1); Age is recomputed at each use
    /// (RFC 9111 §5.1) and Content-Length from the stored body. Cache-Status describes one trip through the
    /// caches (RFC 9211), so it is not replayed on later hits.
    /// </summary>
    public static bool IsStorable(string name) => !(
        name.Equals(HeaderNames.Connection, StringComparison.OrdinalIgnoreCase)
        || name.Equals(HeaderNames.KeepAlive, StringComparison.OrdinalIgnoreCase)
        || name.Equals(HeaderNames.ProxyConnection, StringComparison.OrdinalIgnoreCase)
        || name.Equals(HeaderNames.TransferEncoding, StringComparison.OrdinalIgnoreCase)
        || name.Equals(HeaderNames.TE, StringComparison.OrdinalIgnoreCase)
        || name.Equals(HeaderNames.Trailer, StringComparison.OrdinalIgnoreCase)
        || name.Equals(HeaderNames.Upgrade, StringComparison.OrdinalIgnoreCase)
        || name.Equals(HeaderNames.ProxyAuthenticate, StringComparison.OrdinalIgnoreCase)
        || name.Equals("Proxy-Authentication-Info", StringComparison.OrdinalIgnoreCase)
        || name.Equals(HeaderNames.ProxyAuthorization, StringComparison.OrdinalIgnoreCase)
        || name.Equals(HeaderNames.Age, StringComparison.OrdinalIgnoreCase)
        || name.Equals(HeaderNames.ContentLength, StringComparison.OrdinalIgnoreCase)
        || name.Equals("Cache-Status", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Snapshot of the fields to store, minus the field names of a qualified private, which a shared cache
    /// must not store (RFC 9111 §5.2.2.7), and the fields named by Connection (RFC 9110 §7.6.1).
    /// </summary>
    public static KeyValuePair<string, StringValues>[] Snapshot(IHeaderDictionary headers, string? privateFields)
    {
        var connection = headers[HeaderNames.Connection];
        var list = new List<KeyValuePair<string, StringValues>>(headers.Count);
        foreach (var field in headers)
        {
            if (!IsStorable(field.Key)) continue;
            if (privateFields is not null && ListContains(privateFields, field.Key)) continue;
            if (connection.Count > 0 && ListContains(connection.ToString(), field.Key)) continue;
            list.Add(field);
        }
        return [.. list];
    }

    /// <summary>Whether a comma-separated list of field names contains <paramref name="name"/>, case-insensitively.</summary>
    public static bool ListContains(string list, string name)
    {
        var v = list.AsSpan();
        while (!v.IsEmpty)
        {
            var comma = v.IndexOf(',');
            var item = (comma < 0 ? v : v[..comma]).Trim();
            if (item.Equals(name, StringComparison.OrdinalIgnoreCase)) return true;
            v = comma < 0 ? default : v[(comma + 1)..];
        }
        return false;
    }
}
