using Vigil.Caching.Rules;

namespace Vigil.Caching.Tests.Rules;

public class ReuseTests
{
    private static ReuseVerdict Decide(string request, string response, int age, int lifetime, bool pragma = false) =>
        Reuse.Decide(CacheControl.Parse(request), pragma, CacheControl.Parse(response), TimeSpan.FromSeconds(age), TimeSpan.FromSeconds(lifetime));

    [Fact]
    public void Rfc9111_4_2_FreshWhenLifetimeExceedsAge()
    {
        Assert.Equal(ReuseVerdict.Fresh, Decide("", "max-age=60", 59, 60));
        Assert.Equal(ReuseVerdict.Stale, Decide("", "max-age=60", 60, 60));
    }

    [Fact]
    public void Rfc9111_5_2_1_1_RequestMaxAgeForcesValidationOfOlderResponse()
    {
        Assert.Equal(ReuseVerdict.RequestValidation, Decide("max-age=10", "max-age=60", 11, 60));
        Assert.Equal(ReuseVerdict.Fresh, Decide("max-age=10", "max-age=60", 9, 60));
    }

    [Fact]
    public void Rfc8246_2_1_ImmutableFreshResponseIgnoresReloadMaxAge()
    {
        Assert.Equal(ReuseVerdict.Fresh, Decide("max-age=0", "max-age=60, immutable", 11, 60));
        // A forced reload (no-cache) still validates.
        Assert.Equal(ReuseVerdict.RequestValidation, Decide("no-cache", "max-age=60, immutable", 11, 60));
    }

    [Fact]
    public void Rfc9111_5_2_1_3_MinFreshRequiresRemainingFreshness()
    {
        Assert.Equal(ReuseVerdict.RequestValidation, Decide("min-fresh=20", "max-age=60", 45, 60));
        Assert.Equal(ReuseVerdict.Fresh, Decide("min-fresh=20", "max-age=60", 30, 60));
    }

    [Fact]
    public void Rfc9111_5_2_1_2_MaxStaleAcceptsStaleWithinLimit()
    {
        Assert.Equal(ReuseVerdict.StaleAccepted, Decide("max-stale=30", "max-age=60", 80, 60));
        Assert.Equal(ReuseVerdict.Stale, Decide("max-stale=10", "max-age=60", 80, 60));
        Assert.Equal(ReuseVerdict.StaleAccepted, Decide("max-stale", "max-age=60", 8000, 60));
    }

    [Theory]
    [InlineData("max-age=60, must-revalidate")]
    [InlineData("max-age=60, proxy-revalidate")]
    [InlineData("s-maxage=60")]
    public void Rfc9111_5_2_2_2_MustRevalidateProxyRevalidateAndSMaxAgeRefuseMaxStale(string response) =>
        Assert.Equal(ReuseVerdict.Stale, Decide("max-stale", response, 80, 60));

    [Fact]
    public void Rfc9111_5_2_1_4_RequestNoCacheForcesValidation() =>
        Assert.Equal(ReuseVerdict.RequestValidation, Decide("no-cache", "max-age=60", 1, 60));

    [Fact]
    public void Rfc9111_5_2_2_4_ResponseNoCacheForcesValidationEvenWhenFresh() =>
        Assert.Equal(ReuseVerdict.ResponseValidation, Decide("", "no-cache, max-age=60", 1, 60));

    [Fact]
    public void Rfc9111_5_2_2_4_QualifiedNoCacheDoesNotForceValidation() =>
        Assert.Equal(ReuseVerdict.Fresh, Decide("", "no-cache=\"Set-Cookie\", max-age=60", 1, 60));

    [Fact]
    public void Rfc9111_5_4_PragmaNoCacheOnlyWithoutCacheControl()
    {
        Assert.Equal(ReuseVerdict.RequestValidation, Decide("", "max-age=60", 1, 60, pragma: true));
        Assert.Equal(ReuseVerdict.Fresh, Decide("max-stale=5", "max-age=60", 1, 60, pragma: true));
    }
}
