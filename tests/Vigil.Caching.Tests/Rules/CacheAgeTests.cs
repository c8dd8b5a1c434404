using Microsoft.AspNetCore.Http;
using Vigil.Caching.Rules;

namespace Vigil.Caching.Tests.Rules;

public class CacheAgeTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Rfc9111_4_2_3_AgeHeaderPlusResponseDelay()
    {
        var h = new HeaderDictionary { ["Date"] = HttpDates.Format(T0), ["Age"] = "30" };
        // Request sent at T0, response received 2 s later: corrected_age_value = 30 + 2.
        var age = CacheAge.CorrectedInitialAge(h, T0, T0.AddSeconds(2));
        Assert.Equal(TimeSpan.FromSeconds(32), age);
    }

    [Fact]
    public void Rfc9111_4_2_3_ApparentAgeWinsWhenLarger()
    {
        var h = new HeaderDictionary { ["Date"] = HttpDates.Format(T0.AddSeconds(-100)), ["Age"] = "5" };
        Assert.Equal(TimeSpan.FromSeconds(100), CacheAge.CorrectedInitialAge(h, T0, T0));
    }

    [Fact]
    public void Rfc9111_4_2_3_ClockSkewIntoTheFutureGivesNoNegativeAge()
    {
        var h = new HeaderDictionary { ["Date"] = HttpDates.Format(T0.AddSeconds(100)) };
        Assert.Equal(TimeSpan.Zero, CacheAge.CorrectedInitialAge(h, T0, T0));
    }

    [Fact]
    public void Rfc9111_5_1_InvalidAgeIsIgnored()
    {
        var h = new HeaderDictionary { ["Date"] = HttpDates.Format(T0), ["Age"] = "-3" };
        Assert.Equal(TimeSpan.Zero, CacheAge.CorrectedInitialAge(h, T0, T0));
    }

    [Fact]
    public void Rfc9111_4_2_3_CurrentAgeAddsResidentTime()
    {
        Assert.Equal(TimeSpan.FromSeconds(42), CacheAge.Current(TimeSpan.FromSeconds(2), T0, T0.AddSeconds(40)));
        Assert.Equal(42, CacheAge.Seconds(TimeSpan.FromSeconds(42.9)));
    }
}
