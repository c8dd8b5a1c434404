using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using Vigil.Caching.Rules;

namespace Vigil.Caching.Stores;

/// <summary>
/// One stored response: status, header fields, body and the times needed for age and freshness
/// (RFC 9111 §4.2.3). Immutable; a 304 produces a new entry that shares the body.
/// </summary>
public sealed class CacheEntry
{
    /// <summary>Fixed bookkeeping counted against the byte budget besides headers and body.</summary>
    private const int Overhead = 256;

    public CacheEntry(
        string key,
        int statusCode,
        KeyValuePair<string, StringValues>[] headers,
        byte[] body,
        DateTimeOffset requestTime,
        DateTimeOffset responseTime,
        string[]? varyNames,
        string?[]? varyValues)
    {
        Key = key;
        StatusCode = statusCode;
        Headers = headers;
        Body = body;
        RequestTime = requestTime;
        ResponseTime = responseTime;
        VaryNames = varyNames;
        VaryValues = varyValues;

        var view = new HeaderDictionary(headers.Length);
        foreach (var field in headers) view[field.Key] = field.Value;
        Control = CacheControl.Parse(view[HeaderNames.CacheControl]);
        Lifetime = Freshness.Lifetime(statusCode, Control, view, responseTime);
        CorrectedInitialAge = CacheAge.CorrectedInitialAge(view, requestTime, responseTime);
        ETag = view[HeaderNames.ETag].Count > 0 ? view[HeaderNames.ETag][0]!.Trim() : null;
        LastModified = HttpDates.Parse(view[HeaderNames.LastModified]);
        Date = HttpDates.Parse(view[HeaderNames.Date]);
        AcceptsRanges = RangeRequest.Accepts(view[HeaderNames.AcceptRanges]);

        // What this entry holds, in bytes: its own key string, body, header names and values, and the Vary
        // record (names and captured values), at two bytes a character plus per-object bookkeeping.
        long size = Overhead + 2L * key.Length + body.Length;
        foreach (var field in headers)
        {
            size += 2L * field.Key.Length + 32;
            foreach (var value in field.Value) size += 2L * (value?.Length ?? 0) + 24;
        }
        if (varyNames is not null)
        {
            foreach (var n in varyNames) size += 2L * n.Length + 24;
        }
        if (varyValues is not null)
        {
            foreach (var v in varyValues) size += 2L * (v?.Length ?? 0) + 32;
        }
        Size = size;
    }

    /// <summary>Primary key (scheme, host, target).</summary>
    public string Key { get; }
    public int StatusCode { get; }
    /// <summary>Stored header fields, already stripped of hop-by-hop, Age and Content-Length.</summary>
    public KeyValuePair<string, StringValues>[] Headers { get; }
    public byte[] Body { get; }
    public DateTimeOffset RequestTime { get; }
    public DateTimeOffset ResponseTime { get; }
    /// <summary>Normalised Vary field names, or null when the response does not vary.</summary>
    public string[]? VaryNames { get; }
    /// <summary>The request's values for <see cref="VaryNames"/> when this response was stored.</summary>
    public string?[]? VaryValues { get; }
    public CacheControl Control { get; }
    public TimeSpan Lifetime { get; }
    public TimeSpan CorrectedInitialAge { get; }
    public string? ETag { get; }
    public DateTimeOffset? LastModified { get; }
    public DateTimeOffset? Date { get; }
    /// <summary>False when the origin said <c>Accept-Ranges: none</c>: ranges are then not served from this entry.</summary>
    public bool AcceptsRanges { get; }
    /// <summary>Bytes this entry counts against the store's budget.</summary>
    public long Size { get; }

    public bool HasValidator => ETag is not null || LastModified is not null;

    public TimeSpan Age(DateTimeOffset now) => CacheAge.Current(CorrectedInitialAge, ResponseTime, now);

    /// <summary>How long past its freshness lifetime the entry is (negative while fresh).</summary>
    public TimeSpan Staleness(DateTimeOffset now) => Age(now) - Lifetime;

    public bool MatchesVary(IHeaderDictionary request) => VarySpec.Matches(VaryNames, VaryValues, request);

    /// <summary>Same secondary key: the same Vary names and captured values.</summary>
    internal bool SameVariant(CacheEntry other)
    {
        if (VaryNames is null || other.VaryNames is null) return VaryNames is null && other.VaryNames is null;
        return VaryNames.AsSpan().SequenceEqual(other.VaryNames) && VaryValues.AsSpan().SequenceEqual(other.VaryValues);
    }

    /// <summary>
    /// A copy with headers merged from a 304 and new request/response times (RFC 9111 §4.3.4): for the shared
    /// store (no Set-Cookie unless <paramref name="storeSetCookie"/>), or the one client's own answer.
    /// </summary>
    public CacheEntry Freshen(IHeaderDictionary notModified, DateTimeOffset requestTime, DateTimeOffset responseTime,
        bool shared = true, bool storeSetCookie = false) =>
        new(Key, StatusCode, Freshening.MergeHeaders(Headers, notModified, shared, storeSetCookie), Body, requestTime, responseTime, VaryNames, VaryValues);
}
