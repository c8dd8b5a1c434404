using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Vigil.Caching.Rules;

namespace Vigil.Caching.Tests.Rules;

/// <summary>What a 304 or a HEAD's 200 may change in the shared stored response (RFC 9111 §4.3.4, §4.3.5, §3.2).</summary>
public class FresheningTests
{
    private static readonly KeyValuePair<string, StringValues>[] Stored =
    [
        new("Cache-Control", "max-age=10"), new("ETag", "\"v1\""), new("Content-Type", "text/html"),
    ];

    private static Dictionary<string, string> Merge(IHeaderDictionary update, bool shared = true, bool storeSetCookie = false) =>
        Freshening.MergeHeaders(Stored, update, shared, storeSetCookie).ToDictionary(f => f.Key, f => f.Value.ToString(), StringComparer.OrdinalIgnoreCase);

    [Fact]
    public void SetCookieOfAnUpdateNeverReachesTheSharedEntry()
    {
        var merged = Merge(new HeaderDictionary { ["Cache-Control"] = "max-age=600", ["Set-Cookie"] = "sid=userA-SECRET" });
        Assert.Equal("max-age=600", merged["Cache-Control"]);
        Assert.False(merged.ContainsKey("Set-Cookie"));
    }

    [Fact]
    public void SetCookieIsKeptWhenTheCacheStoresCookiesAndInTheClientsOwnCopy()
    {
        var update = new HeaderDictionary { ["Set-Cookie"] = "theme=dark" };
        Assert.Equal("theme=dark", Merge(update, storeSetCookie: true)["Set-Cookie"]);
        Assert.Equal("theme=dark", Merge(update, shared: false)["Set-Cookie"]);
    }

    [Fact]
    public void AStoredSetCookieIsNotDroppedByAnUpdateThatIsNotMerged()
    {
        KeyValuePair<string, StringValues>[] stored = [new("Set-Cookie", "theme=dark"), new("ETag", "\"v1\"")];
        var merged = Freshening.MergeHeaders(stored, new HeaderDictionary { ["Set-Cookie"] = "sid=userB" }, shared: true, storeSetCookie: false);
        Assert.Equal("theme=dark", merged.Single(f => f.Key == "Set-Cookie").Value.ToString());
    }

    [Fact]
    public void Rfc9111_5_2_2_7_FieldsNamedByAQualifiedPrivateAreNotMerged()
    {
        var update = new HeaderDictionary { ["Cache-Control"] = "max-age=600, private=\"X-User\"", ["X-User"] = "userA", ["X-Build"] = "7" };
        var merged = Merge(update);
        Assert.False(merged.ContainsKey("X-User"));
        Assert.Equal("7", merged["X-Build"]);
        Assert.Equal("userA", Merge(update, shared: false)["X-User"]);
    }

    [Theory]
    [InlineData("max-age=600", true)]
    [InlineData("", true)]
    [InlineData("private=\"X-User\", max-age=60", true)]
    [InlineData("private", false)]
    [InlineData("private, max-age=600", false)]
    [InlineData("no-store", false)]
    [InlineData("max-age=600, no-store", false)]
    public void Rfc9111_4_3_4_APrivateOrNoStoreUpdateIsNotMergedIntoTheSharedEntry(string cacheControl, bool merged) =>
        Assert.Equal(merged, Freshening.MayUpdateShared(CacheControl.Parse(cacheControl)));
}
