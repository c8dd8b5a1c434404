using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Vigil.Caching.Rules;

/// <summary>
/// Which bytes of a stored complete response answer a request's <c>Range</c> and <c>If-Range</c>
/// (RFC 9110 §14, §13.1.5). Pure: request fields, the stored status, length and validators in; a
/// <see cref="RangeAnswer"/> out. Parsing uses ASP.NET Core's <see cref="RangeHeaderValue"/> and
/// <see cref="RangeConditionHeaderValue"/>, as its static file server does.
/// </summary>
public static class RangeRequest
{
    private static readonly TimeSpan StrongDateMargin = TimeSpan.FromSeconds(60);

    /// <param name="acceptsRanges">False when the stored response says <c>Accept-Ranges: none</c>.</param>
    public static RangeAnswer Decide(string method, IHeaderDictionary request, int status, long length, bool acceptsRanges,
        string? etag, DateTimeOffset? lastModified, DateTimeOffset? date)
    {
        var range = request[HeaderNames.Range];
        if (range.Count == 0) return RangeAnswer.Full;
        // RFC 9110 §14.2: GET is the only method for which range handling is defined, and a server MUST ignore
        // Range on the others. That includes HEAD: it gets the headers of the full 200.
        if (!HttpMethods.IsGet(method)) return RangeAnswer.Full;
        // §14.2: Range is evaluated only when the answer without it would be 200. The origin's own
        // "Accept-Ranges: none" (§14.3) is kept on what we send, so we do not contradict it.
        if (status != StatusCodes.Status200OK || !acceptsRanges) return RangeAnswer.Full;
        // §13.1.5: when If-Range is false the Range is ignored and the whole representation is sent.
        var ifRange = request[HeaderNames.IfRange];
        if (ifRange.Count > 0 && !IfRangeHolds(ifRange, etag, lastModified, date)) return RangeAnswer.Full;
        return Select(range, length);
    }

    /// <summary>The answer to a Range field alone against a body of <paramref name="length"/> bytes (RFC 9110 §14.1, §14.2).</summary>
    public static RangeAnswer Select(StringValues range, long length)
    {
        // Range is a singleton field: several field lines are no valid ranges-specifier, and a malformed one
        // is ignored, never an error (a server MAY ignore Range, §14.2).
        if (range.Count != 1 || !RangeHeaderValue.TryParse(range[0], out var parsed) || parsed is null) return RangeAnswer.Full;
        // §14.2: a range unit the server does not understand MUST be ignored; unit names are case-insensitive (§14.1).
        if (!parsed.Unit.Equals("bytes", StringComparison.OrdinalIgnoreCase)) return RangeAnswer.Full;
        // Several ranges: answered with the whole body as §14.2 allows ("A server MAY ignore the Range header
        // field"); multipart/byteranges is rarely asked for and a known amplification vector (§17.15).
        if (parsed.Ranges.Count != 1) return RangeAnswer.Full;
        // An empty body has no byte any range could select; the whole (empty) response is the answer.
        if (length <= 0) return RangeAnswer.Full;

        var item = parsed.Ranges.First();
        if (item.From is { } first)
        {
            // int-range: satisfiable when first-pos < length (§14.1.1); a last-pos at or past the end, or none,
            // means the last byte (§14.1.2). RangeHeaderValue already rejects last-pos < first-pos.
            if (first >= length) return RangeAnswer.NotSatisfiable;
            var last = item.To is { } to && to < length ? to : length - 1;
            return new RangeAnswer(RangeOutcome.Partial, first, last - first + 1);
        }
        if (item.To is not { } suffix) return RangeAnswer.Full;
        // suffix-range: the last n bytes, the whole body when shorter (§14.1.2); n = 0 is unsatisfiable (§14.1.1).
        if (suffix == 0) return RangeAnswer.NotSatisfiable;
        var count = Math.Min(suffix, length);
        return new RangeAnswer(RangeOutcome.Partial, length - count, count);
    }

    /// <summary>
    /// Whether If-Range's validator still identifies the stored response (RFC 9110 §13.1.5): an entity-tag must
    /// match strongly (§8.8.3.2); a date must equal Last-Modified exactly and be a strong validator (§8.8.2.2).
    /// </summary>
    public static bool IfRangeHolds(StringValues ifRange, string? etag, DateTimeOffset? lastModified, DateTimeOffset? date)
    {
        if (ifRange.Count != 1 || !RangeConditionHeaderValue.TryParse(ifRange[0], out var condition) || condition is null) return false;
        if (condition.EntityTag is { } tag)
        {
            // Strong comparison: both tags strong and their opaque parts equal; a weak tag never matches.
            return etag is not null && EntityTagHeaderValue.TryParse(etag, out var stored) && stored is not null
                && tag.Compare(stored, useStrongComparison: true);
        }
        // §8.8.2.2: a cache may treat Last-Modified as strong only when the stored Date is at least 60 seconds
        // later; otherwise the representation could have changed twice within the same second.
        return condition.LastModified is { } since && lastModified is { } modified && date is { } served
            && since == modified && served - modified >= StrongDateMargin;
    }

    /// <summary>False when a stored response's <c>Accept-Ranges</c> says <c>none</c> (RFC 9110 §14.3).</summary>
    public static bool Accepts(StringValues acceptRanges) =>
        acceptRanges.Count == 0 || !StoredHeaders.ListContains(acceptRanges.ToString(), "none");
}
