using System.Globalization;

namespace Vigil.Caching.Rules;

/// <summary>How a stored complete response answers a request's <c>Range</c> (RFC 9110 §14).</summary>
public enum RangeOutcome
{
    /// <summary>No range applies (absent, ignored, or If-Range false): the whole response with its own status.</summary>
    Full,
    /// <summary>206 Partial Content with one byte range (RFC 9110 §15.3.7).</summary>
    Partial,
    /// <summary>416 Range Not Satisfiable (RFC 9110 §15.5.17).</summary>
    NotSatisfiable,
}

/// <summary>A decided range: the outcome and, for <see cref="RangeOutcome.Partial"/>, which bytes of the body.</summary>
public readonly record struct RangeAnswer(RangeOutcome Outcome, long Start, long Length)
{
    public static RangeAnswer Full => default;

    public static RangeAnswer NotSatisfiable => new(RangeOutcome.NotSatisfiable, 0, 0);

    /// <summary>Last byte position, inclusive, as Content-Range writes it.</summary>
    public long End => Start + Length - 1;

    /// <summary>
    /// The Content-Range field value for a body of <paramref name="completeLength"/> bytes: <c>bytes a-b/len</c>
    /// for a 206 (RFC 9110 §14.4), <c>bytes */len</c> for a 416 (§15.5.17); null for a full response.
    /// </summary>
    public string? ContentRange(long completeLength) => Outcome switch
    {
        RangeOutcome.Partial => string.Create(CultureInfo.InvariantCulture, $"bytes {Start}-{End}/{completeLength}"),
        RangeOutcome.NotSatisfiable => string.Create(CultureInfo.InvariantCulture, $"bytes */{completeLength}"),
        _ => null,
    };
}
