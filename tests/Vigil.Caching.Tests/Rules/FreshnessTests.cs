using Microsoft.AspNetCore.Http;
using Vigil.Caching.Rules;

namespace Vigil.Caching.Tests.Rules;

public class FreshnessTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static HeaderDictionary Headers(params (string, string)[] fields)
    {
        var h = new HeaderDictionary();
        foreach (var (k, v) in fields) h[k] = v;
        return h;
    }

    private static TimeSpan Lifetime(string cc, HeaderDictionary h, int status = 200) =>
        Freshness.Lifetime(status, CacheControl.Parse(cc), h, T0);

    [Fact]
    public void Rfc9111_4_2_1_SMaxAgeBeatsMaxAgeBeatsExpires()
    {
        var h = Headers(("Date", HttpDates.Format(T0)), ("Expires", HttpDates.Format(T0.AddSeconds(500))));
        Assert.Equal(TimeSpan.FromSeconds(10), Lifetime("s-maxage=10, max-age=20", h));
        Assert.Equal(TimeSpan.FromSeconds(20), Lifetime("max-age=20", h));
        Assert.Equal(TimeSpan.FromSeconds(500), Lifetime("", h));
    }

    [Fact]
    public void Rfc9111_4_2_1_ExpiresMinusDateNotMinusNow()
    {
        var h = Headers(("Date", HttpDates.Format(T0.AddSeconds(-100))), ("Expires", HttpDates.Format(T0.AddSeconds(50))));
        Assert.Equal(TimeSpan.FromSeconds(150), Lifetime("", h));
    }

    [Fact]
    public void Rfc9111_5_3_InvalidExpiresMeansAlreadyExpired()
    {
        var h = Headers(("Expires", "0"), ("Last-Modified", HttpDates.Format(T0.AddDays(-10))));
        Assert.Equal(TimeSpan.Zero, Lifetime("", h));
    }

    [Fact]
    public void Rfc9111_4_2_2_HeuristicIsTenPercentOfDateMinusLastModified()
    {
        var h = Headers(("Date", HttpDates.Format(T0)), ("Last-Modified", HttpDates.Format(T0.AddSeconds(-1000))));
        var lifetime = Freshness.Lifetime(200, CacheControl.Parse(""), h, T0, out var heuristic);
        Assert.True(heuristic);
        Assert.Equal(TimeSpan.FromSeconds(100), lifetime);
    }

    [Fact]
    public void Rfc9111_4_2_2_NoHeuristicForStatusNotHeuristicallyCacheable()
    {
        var h = Headers(("Date", HttpDates.Format(T0)), ("Last-Modified", HttpDates.Format(T0.AddSeconds(-1000))));
        Assert.Equal(TimeSpan.Zero, Lifetime("", h, status: 302));
        Assert.Equal(TimeSpan.FromSeconds(100), Lifetime("public", h, status: 302));
    }

    [Fact]
    public void Rfc9111_4_2_1_NoInformationMeansZero() => Assert.Equal(TimeSpan.Zero, Lifetime("", Headers()));
}
