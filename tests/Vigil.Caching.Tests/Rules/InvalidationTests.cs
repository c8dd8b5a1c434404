using Microsoft.AspNetCore.Http;
using Vigil.Caching.Rules;

namespace Vigil.Caching.Tests.Rules;

public class InvalidationTests
{
    [Theory]
    [InlineData("POST", 200, true)]
    [InlineData("DELETE", 204, true)]
    [InlineData("PUT", 302, true)]
    [InlineData("POST", 500, false)]
    [InlineData("POST", 404, false)]
    [InlineData("GET", 200, false)]
    [InlineData("OPTIONS", 200, false)]
    public void Rfc9111_4_4_UnsafeMethodWithNonErrorStatusInvalidates(string method, int status, bool expected) =>
        Assert.Equal(expected, Invalidation.Applies(method, status));

    [Fact]
    public void Rfc9111_4_4_TargetLocationAndContentLocationOfSameOrigin()
    {
        var headers = new HeaderDictionary { ["Location"] = "/items/7", ["Content-Location"] = "http://shop.test:8080/items?x=1" };
        var keys = Invalidation.Keys("http", "Shop.test:8080", "/items", headers);
        Assert.Equal(["http://shop.test:8080/items", "http://shop.test:8080/items/7", "http://shop.test:8080/items?x=1"], keys);
    }

    [Fact]
    public void Rfc9111_4_4_OtherOriginsAreNotInvalidated()
    {
        var headers = new HeaderDictionary { ["Location"] = "http://victim.test/", ["Content-Location"] = "https://shop.test/items" };
        Assert.Equal(["http://shop.test/items"], Invalidation.Keys("http", "shop.test", "/items", headers));
    }

    [Fact]
    public void Rfc9111_2_KeyDropsDefaultPortAndLowercasesHost()
    {
        Assert.Equal("http://a.test/x?y=1", CacheKey.Build("HTTP", "A.Test:80", "/x?y=1"));
        Assert.Equal("https://a.test:8443/", CacheKey.Build("https", "a.test:8443", ""));
        Assert.Equal("http://a.test/x?y=1", CacheKey.FromUrl("http://A.test:80/x?y=1"));
    }
}

public class CacheKeyTests
{
    [Theory]
    [InlineData("http://www.example.test/a%7Eb/./c?q=%41", "WWW.Example.Test:80", "/a%7Eb/./c?q=%41")]
    [InlineData("HTTP://WWW.EXAMPLE.TEST:80/a%7Eb/./c?q=%41#top", "www.example.test", "/a%7Eb/./c?q=%41")]
    [InlineData("http://user@www.example.test", "www.example.test", "/")]
    [InlineData("http://www.example.test?x=1", "www.example.test", "/?x=1")]
    [InlineData("https://www.example.test:443/%2F..%2f", "www.example.test", "/%2F..%2f")]
    [InlineData("http://[::1]:8080/x", "[::1]:8080", "/x")]
    public void APurgeUrlNamesTheKeyItsRequestWasStoredUnder(string url, string host, string target)
    {
        var scheme = url.StartsWith("https", StringComparison.OrdinalIgnoreCase) ? "https" : "http";
        Assert.Equal(CacheKey.Build(scheme, host, target), CacheKey.FromUrl(url));
    }

    [Theory]
    [InlineData("/relative")]
    [InlineData("ftp://host/x")]
    [InlineData("http:///x")]
    [InlineData("")]
    public void WhatIsNotAnAbsoluteHttpUrlNamesNoKey(string url) => Assert.Null(CacheKey.FromUrl(url));
}
