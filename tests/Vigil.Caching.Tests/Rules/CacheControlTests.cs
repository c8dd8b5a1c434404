using Vigil.Caching.Rules;

namespace Vigil.Caching.Tests.Rules;

public class CacheControlTests
{
    [Fact]
    public void Rfc9111_5_2_ParsesDirectivesCaseInsensitivelyAcrossFieldLines()
    {
        var cc = CacheControl.Parse(new Microsoft.Extensions.Primitives.StringValues(["Max-Age=60, public", "S-MAXAGE=30,must-revalidate"]));
        Assert.True(cc.Present);
        Assert.Equal(60, cc.MaxAge);
        Assert.Equal(30, cc.SMaxAge);
        Assert.True(cc.Has(CacheDirectives.Public));
        Assert.True(cc.Has(CacheDirectives.MustRevalidate));
        Assert.False(cc.Has(CacheDirectives.NoStore));
        Assert.Equal(-1, cc.MinFresh);
    }

    [Fact]
    public void Rfc9111_5_2_AbsentFieldIsNotPresentAndHasNoValues()
    {
        var cc = CacheControl.Parse((string?)null);
        Assert.False(cc.Present);
        Assert.Equal(-1, cc.MaxAge);
        Assert.Equal(CacheDirectives.None, cc.Flags);
    }

    [Fact]
    public void Rfc9111_4_2_1_FirstOccurrenceOfRepeatedDirectiveWins()
    {
        Assert.Equal(10, CacheControl.Parse("max-age=10, max-age=99").MaxAge);
    }

    [Fact]
    public void Rfc9111_4_2_1_InvalidMaxAgeMeansStale()
    {
        Assert.Equal(0, CacheControl.Parse("max-age=abc").MaxAge);
        Assert.Equal(0, CacheControl.Parse("s-maxage=-5").SMaxAge);
    }

    [Fact]
    public void Rfc9111_1_2_2_DeltaSecondsSaturateAt2Pow31()
    {
        Assert.Equal(int.MaxValue, CacheControl.Parse("max-age=99999999999999999999").MaxAge);
    }

    [Fact]
    public void Rfc9111_5_2_QuotedArgumentsAreAccepted()
    {
        Assert.Equal(5, CacheControl.Parse("max-age=\"5\"").MaxAge);
    }

    [Fact]
    public void Rfc9111_5_2_2_4_QualifiedNoCacheKeepsFieldNamesAndIsNotUnqualified()
    {
        var cc = CacheControl.Parse("no-cache=\"Set-Cookie, X-Token\", max-age=60");
        Assert.False(cc.Has(CacheDirectives.NoCache));
        Assert.Equal("Set-Cookie, X-Token", cc.NoCacheFields);
        Assert.Equal(60, cc.MaxAge);
    }

    [Fact]
    public void Rfc9111_5_2_2_7_QualifiedPrivateKeepsFieldNames()
    {
        var cc = CacheControl.Parse("private=\"X-User\", max-age=60");
        Assert.False(cc.Has(CacheDirectives.Private));
        Assert.Equal("X-User", cc.PrivateFields);
        Assert.True(CacheControl.Parse("private").Has(CacheDirectives.Private));
    }

    [Fact]
    public void Rfc9111_5_2_1_RequestDirectives()
    {
        var cc = CacheControl.Parse("max-stale, min-fresh=20, only-if-cached, no-cache");
        Assert.True(cc.Has(CacheDirectives.MaxStaleAny));
        Assert.Equal(20, cc.MinFresh);
        Assert.True(cc.Has(CacheDirectives.OnlyIfCached));
        Assert.True(cc.Has(CacheDirectives.NoCache));
        Assert.Equal(30, CacheControl.Parse("max-stale=30").MaxStale);
        Assert.False(CacheControl.Parse("max-stale=30").Has(CacheDirectives.MaxStaleAny));
    }

    [Fact]
    public void Rfc5861_StaleExtensionsAndRfc8246Immutable()
    {
        var cc = CacheControl.Parse("max-age=1, stale-while-revalidate=30, stale-if-error=600, immutable");
        Assert.Equal(30, cc.StaleWhileRevalidate);
        Assert.Equal(600, cc.StaleIfError);
        Assert.True(cc.Has(CacheDirectives.Immutable));
    }

    [Fact]
    public void Rfc9111_5_2_3_UnknownExtensionsAndJunkAreIgnored()
    {
        var cc = CacheControl.Parse("community=\"UCI, x\", foo bar, ,, max-age=7");
        Assert.Equal(7, cc.MaxAge);
        Assert.Equal(CacheDirectives.None, cc.Flags);
    }

    [Fact]
    public void ParsingCommonFieldsDoesNotAllocate()
    {
        var value = new Microsoft.Extensions.Primitives.StringValues("public, max-age=3600, s-maxage=600, stale-while-revalidate=30, must-revalidate");
        CacheControl.Parse(value); // warm up
        var before = GC.GetAllocatedBytesForCurrentThread();
        var total = 0;
        for (var i = 0; i < 1000; i++) total += CacheControl.Parse(value).MaxAge;
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(3600 * 1000, total);
        Assert.Equal(0, allocated);
    }
}
