using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Vigil.Caching.Rules;

/// <summary>Updating a stored response from a 304 Not Modified (RFC 9111 §4.3.3, §4.3.4, §3.2).</summary>
public static class Freshening
{
    /// <summary>
    /// Whether the 304 identifies the stored response (RFC 9111 §4.3.4): a strong validator must match
    /// strongly; otherwise a weak ETag or Last-Modified must match. A 304 with no validator at all answers
    /// the one conditional request we sent for this response, so it selects it.
    /// </summary>
    public static bool Selects(string? storedEtag, DateTimeOffset? storedLastModified, IHeaderDictionary notModified)
    {
        var etag = notModified[HeaderNames.ETag];
        if (etag.Count > 0)
        {
            var tag = etag[0]!.Trim();
            if (storedEtag is null) return false;
            return ConditionalRequest.IsStrong(tag)
                ? ConditionalRequest.IsStrong(storedEtag) && string.Equals(tag, storedEtag, StringComparison.Ordinal)
                : ConditionalRequest.MatchesAny(new StringValues(tag), storedEtag);
        }
        var lastModified = HttpDates.Parse(notModified[HeaderNames.LastModified]);
        if (lastModified is not null) return storedLastModified == lastModified;
        return true;
    }

    /// <summary>
    /// Whether a 304 (or a HEAD's 200) may update the shared stored response. One that is itself no-store or
    /// private is an answer for this client only: a shared cache must not store any part of it (RFC 9111
    /// §5.2.2.5, §5.2.2.7), which includes merging it into what it stored for everyone (§4.3.4, §3.2).
    /// </summary>
    public static bool MayUpdateShared(in CacheControl update) =>
        !update.Has(CacheDirectives.NoStore) && !update.Has(CacheDirectives.Private);

    /// <summary>
    /// The stored header fields with the 304's fields added or replacing them (RFC 9111 §3.2), except the
    /// ones describing the stored body, which a 304 must not change. For the <paramref name="shared"/> entry,
    /// Set-Cookie is never taken from the update (unless <paramref name="storeSetCookie"/>: a cookie is
    /// per user, and the stored response is handed to every user), nor are the fields a qualified private names
    /// (RFC 9111 §5.2.2.7); the client whose request drew the 304 gets them in its own copy.
    /// </summary>
    public static KeyValuePair<string, StringValues>[] MergeHeaders(KeyValuePair<string, StringValues>[] stored, IHeaderDictionary update,
        bool shared = true, bool storeSetCookie = false)
    {
        var privateFields = shared ? CacheControl.Parse(update[HeaderNames.CacheControl]).PrivateFields : null;
        var merged = new List<KeyValuePair<string, StringValues>>(stored.Length + 4);
        foreach (var field in stored)
        {
            if (!update.ContainsKey(field.Key) || !Taken(field.Key)) merged.Add(field);
        }
        foreach (var field in update)
        {
            if (Taken(field.Key)) merged.Add(field);
        }
        return [.. merged];

        bool Taken(string name) =>
            Updatable(name) && StoredHeaders.IsStorable(name)
            && !(shared && !storeSetCookie && name.Equals(HeaderNames.SetCookie, StringComparison.OrdinalIgnoreCase))
            && !(privateFields is not null && StoredHeaders.ListContains(privateFields, name));
    }

    private static bool Updatable(string name) =>
        !name.Equals(HeaderNames.ContentLength, StringComparison.OrdinalIgnoreCase)
        && !name.Equals(HeaderNames.ContentEncoding, StringComparison.OrdinalIgnoreCase)
        && !name.Equals(HeaderNames.ContentRange, StringComparison.OrdinalIgnoreCase)
        && !name.Equals(HeaderNames.ContentType, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Whether a 200 answer to a HEAD describes the stored GET response (RFC 9111 §4.3.5): every validator it
    /// carries (at least one) matches, and so does its Content-Length when present. If so the stored response
    /// is updated from it; if not, the stored response is to be considered stale.
    /// </summary>
    public static bool HeadMatches(string? storedEtag, DateTimeOffset? storedLastModified, long storedLength, IHeaderDictionary head)
    {
        var etag = head[HeaderNames.ETag];
        var lastModified = HttpDates.Parse(head[HeaderNames.LastModified]);
        if (etag.Count == 0 && lastModified is null) return false;
        if (etag.Count > 0 && !string.Equals(etag[0]?.Trim(), storedEtag, StringComparison.Ordinal)) return false;
        if (lastModified is not null && lastModified != storedLastModified) return false;
        var length = head.ContentLength;
        return length is null || length == storedLength;
    }
}
