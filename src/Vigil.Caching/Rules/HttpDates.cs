using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Vigil.Caching.Rules;

/// <summary>HTTP-date fields read leniently as RFC 9110 §5.6.7 asks of recipients.</summary>
public static class HttpDates
{
    /// <summary>The first field line's date, or null when absent or invalid.</summary>
    public static DateTimeOffset? Parse(StringValues value)
    {
        if (value.Count == 0) return null;
        return HeaderUtilities.TryParseDate(value[0], out var date) ? date : null;
    }

    public static string Format(DateTimeOffset date) => HeaderUtilities.FormatDate(date);
}
