using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Vigil.Caching.Rules;

/// <summary>Age of a stored response (RFC 9111 §4.2.3).</summary>
public static class CacheAge
{
    /// <summary>
    /// corrected_initial_age = max(apparent_age, Age + response_delay), computed once when the response arrives.
    /// </summary>
    public static TimeSpan CorrectedInitialAge(IHeaderDictionary headers, DateTimeOffset requestTime, DateTimeOffset responseTime)
    {
        var date = HttpDates.Parse(headers[HeaderNames.Date]) ?? responseTime;
        var apparentAge = Max(TimeSpan.Zero, responseTime - date);
        var ageField = headers[HeaderNames.Age];
        // An invalid Age is ignored (RFC 9111 §5.1); a list keeps the first value.
        var ageValue = ageField.Count > 0 && CacheControl.TryParseDeltaSeconds(ageField[0].AsSpan().Trim(), out var seconds)
            ? TimeSpan.FromSeconds(seconds)
            : TimeSpan.Zero;
        var responseDelay = Max(TimeSpan.Zero, responseTime - requestTime);
        return Max(apparentAge, ageValue + responseDelay);
    }

    /// <summary>current_age = corrected_initial_age + resident_time.</summary>
    public static TimeSpan Current(TimeSpan correctedInitialAge, DateTimeOffset responseTime, DateTimeOffset now)
        => correctedInitialAge + Max(TimeSpan.Zero, now - responseTime);

    /// <summary>The Age header value: whole seconds, saturating (RFC 9111 §5.1).</summary>
    public static long Seconds(TimeSpan age) => age <= TimeSpan.Zero ? 0 : (long)age.TotalSeconds;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
