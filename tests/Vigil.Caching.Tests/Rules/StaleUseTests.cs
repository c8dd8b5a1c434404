using Vigil.Caching.Rules;

namespace Vigil.Caching.Tests.Rules;

public class StaleUseTests
{
    private static readonly TimeSpan NoGrace = TimeSpan.Zero;

    [Fact]
    public void Rfc5861_3_StaleWhileRevalidateWithinWindow()
    {
        var cc = CacheControl.Parse("max-age=1, stale-while-revalidate=30");
        Assert.True(StaleUse.WhileRevalidate(cc, TimeSpan.FromSeconds(30)));
        Assert.False(StaleUse.WhileRevalidate(cc, TimeSpan.FromSeconds(31)));
        Assert.False(StaleUse.WhileRevalidate(CacheControl.Parse("max-age=1"), TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void Rfc5861_4_StaleIfErrorFromResponseOrRequest()
    {
        var cc = CacheControl.Parse("max-age=1, stale-if-error=60");
        Assert.True(StaleUse.OnError(CacheControl.Empty, cc, TimeSpan.FromSeconds(60), NoGrace));
        Assert.False(StaleUse.OnError(CacheControl.Empty, cc, TimeSpan.FromSeconds(61), NoGrace));
        Assert.True(StaleUse.OnError(CacheControl.Parse("stale-if-error=100"), CacheControl.Parse("max-age=1"), TimeSpan.FromSeconds(90), NoGrace));
    }

    [Fact]
    public void Rfc9111_4_2_4_GraceServesStaleWhenOriginFails()
    {
        var cc = CacheControl.Parse("max-age=1");
        Assert.True(StaleUse.OnError(CacheControl.Empty, cc, TimeSpan.FromSeconds(50), TimeSpan.FromMinutes(1)));
        Assert.False(StaleUse.OnError(CacheControl.Empty, cc, TimeSpan.FromSeconds(61), TimeSpan.FromMinutes(1)));
    }

    [Theory]
    [InlineData("max-age=1, must-revalidate, stale-if-error=60, stale-while-revalidate=60")]
    [InlineData("max-age=1, proxy-revalidate, stale-if-error=60, stale-while-revalidate=60")]
    [InlineData("no-cache, stale-if-error=60, stale-while-revalidate=60")]
    public void Rfc9111_4_2_4_MustRevalidateForbidsEveryStaleUse(string response)
    {
        var cc = CacheControl.Parse(response);
        Assert.False(StaleUse.WhileRevalidate(cc, TimeSpan.FromSeconds(1)));
        Assert.False(StaleUse.OnError(CacheControl.Empty, cc, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1)));
    }

    [Fact]
    public void Rfc9111_5_2_2_10_SMaxAgeForbidsGraceButHonoursExplicitStaleIfError()
    {
        Assert.False(StaleUse.OnError(CacheControl.Empty, CacheControl.Parse("s-maxage=1"), TimeSpan.FromSeconds(5), TimeSpan.FromHours(1)));
        Assert.True(StaleUse.OnError(CacheControl.Empty, CacheControl.Parse("s-maxage=1, stale-if-error=10"), TimeSpan.FromSeconds(5), NoGrace));
    }
}

public class ConfiguredStaleDefaultsTests
{
    private static readonly TimeSpan FiveMinutes = TimeSpan.FromMinutes(5);

    [Fact]
    public void Rfc5861_TheConfiguredStaleIfErrorStandsInForAnAbsentExtension()
    {
        var plain = CacheControl.Parse("max-age=5");
        Assert.True(StaleUse.OnError(CacheControl.Empty, plain, TimeSpan.FromMinutes(4), TimeSpan.Zero, FiveMinutes));
        Assert.False(StaleUse.OnError(CacheControl.Empty, plain, TimeSpan.FromMinutes(6), TimeSpan.Zero, FiveMinutes));
        Assert.False(StaleUse.OnError(CacheControl.Empty, plain, TimeSpan.FromMinutes(4), TimeSpan.Zero));
    }

    [Fact]
    public void Rfc5861_TheOriginsOwnValueWinsOverTheConfiguredDefault()
    {
        var own = CacheControl.Parse("max-age=5, stale-if-error=30");
        Assert.False(StaleUse.OnError(CacheControl.Empty, own, TimeSpan.FromMinutes(1), TimeSpan.Zero, FiveMinutes));
        var strict = CacheControl.Parse("max-age=5, stale-while-revalidate=0");
        Assert.False(StaleUse.WhileRevalidate(strict, TimeSpan.FromSeconds(1), FiveMinutes));
        Assert.True(StaleUse.WhileRevalidate(CacheControl.Parse("max-age=5"), TimeSpan.FromSeconds(1), FiveMinutes));
    }

    [Theory]
    [InlineData("max-age=5, must-revalidate")]
    [InlineData("max-age=5, no-cache")]
    [InlineData("s-maxage=5")]
    public void Rfc9111_DefaultsNeverOverrideWhatForbidsServingStale(string cacheControl)
    {
        var cc = CacheControl.Parse(cacheControl);
        Assert.False(StaleUse.OnError(CacheControl.Empty, cc, TimeSpan.FromSeconds(10), TimeSpan.Zero, FiveMinutes));
        Assert.False(StaleUse.WhileRevalidate(cc, TimeSpan.FromSeconds(10), FiveMinutes));
    }
}
