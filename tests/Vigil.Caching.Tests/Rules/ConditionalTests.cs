using Microsoft.AspNetCore.Http;
using Vigil.Caching.Rules;

namespace Vigil.Caching.Tests.Rules;

public class ConditionalTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Rfc9110_13_1_2_IfNoneMatchUsesWeakComparison()
    {
        Assert.True(ConditionalRequest.IsNotModified(new HeaderDictionary { ["If-None-Match"] = "\"a\", W/\"b\"" }, "\"b\"", null, null));
        Assert.True(ConditionalRequest.IsNotModified(new HeaderDictionary { ["If-None-Match"] = "\"b\"" }, "W/\"b\"", null, null));
        Assert.False(ConditionalRequest.IsNotModified(new HeaderDictionary { ["If-None-Match"] = "\"c\"" }, "\"b\"", null, null));
        Assert.True(ConditionalRequest.IsNotModified(new HeaderDictionary { ["If-None-Match"] = "*" }, "\"b\"", null, null));
    }

    [Fact]
    public void Rfc9110_13_1_3_IfNoneMatchTakesPrecedenceOverIfModifiedSince()
    {
        var h = new HeaderDictionary { ["If-None-Match"] = "\"old\"", ["If-Modified-Since"] = HttpDates.Format(T0) };
        Assert.False(ConditionalRequest.IsNotModified(h, "\"new\"", T0.AddDays(-1), null));
    }

    [Fact]
    public void Rfc9111_4_3_2_IfModifiedSinceComparesLastModifiedElseDate()
    {
        var h = new HeaderDictionary { ["If-Modified-Since"] = HttpDates.Format(T0) };
        Assert.True(ConditionalRequest.IsNotModified(h, null, T0, null));
        Assert.False(ConditionalRequest.IsNotModified(h, null, T0.AddSeconds(1), null));
        Assert.True(ConditionalRequest.IsNotModified(h, null, null, T0.AddSeconds(-5)));
        Assert.False(ConditionalRequest.IsNotModified(new HeaderDictionary { ["If-Modified-Since"] = "garbage" }, null, T0, null));
    }

    [Fact]
    public void Rfc9111_4_3_4_StrongValidatorMustMatchStrongly()
    {
        Assert.True(Freshening.Selects("\"v1\"", null, new HeaderDictionary { ["ETag"] = "\"v1\"" }));
        Assert.False(Freshening.Selects("\"v1\"", null, new HeaderDictionary { ["ETag"] = "\"v2\"" }));
        Assert.False(Freshening.Selects("W/\"v1\"", null, new HeaderDictionary { ["ETag"] = "\"v1\"" }));
        Assert.True(Freshening.Selects("W/\"v1\"", null, new HeaderDictionary { ["ETag"] = "W/\"v1\"" }));
        Assert.True(Freshening.Selects(null, T0, new HeaderDictionary { ["Last-Modified"] = HttpDates.Format(T0) }));
        Assert.False(Freshening.Selects(null, T0, new HeaderDictionary { ["Last-Modified"] = HttpDates.Format(T0.AddSeconds(1)) }));
    }

    [Fact]
    public void Rfc9111_3_2_NotModifiedUpdatesHeadersButNotContentLengthOrType()
    {
        KeyValuePair<string, Microsoft.Extensions.Primitives.StringValues>[] stored =
        [
            new("Cache-Control", "max-age=10"), new("Content-Type", "text/plain"), new("X-Old", "1"), new("ETag", "\"v1\""),
        ];
        var update = new HeaderDictionary
        {
            ["Cache-Control"] = "max-age=99", ["Content-Type"] = "text/html", ["Content-Length"] = "0", ["X-New"] = "2", ["Connection"] = "close",
        };
        var merged = Freshening.MergeHeaders(stored, update).ToDictionary(f => f.Key, f => f.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        Assert.Equal("max-age=99", merged["Cache-Control"]);
        Assert.Equal("text/plain", merged["Content-Type"]);
        Assert.Equal("1", merged["X-Old"]);
        Assert.Equal("2", merged["X-New"]);
        Assert.False(merged.ContainsKey("Content-Length"));
        Assert.False(merged.ContainsKey("Connection"));
    }

    [Fact]
    public void Rfc9111_5_2_2_7_QualifiedPrivateFieldsAreNotStored()
    {
        var headers = new HeaderDictionary { ["X-User"] = "alice", ["Content-Type"] = "text/plain", ["Age"] = "3", ["Connection"] = "X-Hop", ["X-Hop"] = "1" };
        var stored = StoredHeaders.Snapshot(headers, "x-user").Select(f => f.Key).ToArray();
        Assert.Equal(["Content-Type"], stored);
    }

    [Fact]
    public void Rfc9111_4_3_5_HeadMatchesOnlyWithMatchingValidatorsAndLength()
    {
        Assert.True(Freshening.HeadMatches("\"a\"", null, 10, new HeaderDictionary { ["ETag"] = "\"a\"", ["Content-Length"] = "10" }));
        Assert.False(Freshening.HeadMatches("\"a\"", null, 10, new HeaderDictionary { ["ETag"] = "\"a\"", ["Content-Length"] = "11" }));
        Assert.False(Freshening.HeadMatches("\"a\"", null, 10, new HeaderDictionary { ["ETag"] = "\"b\"" }));
        Assert.False(Freshening.HeadMatches("\"a\"", null, 10, new HeaderDictionary()));
        Assert.True(Freshening.HeadMatches(null, T0, 10, new HeaderDictionary { ["Last-Modified"] = HttpDates.Format(T0) }));
        Assert.False(Freshening.HeadMatches("\"a\"", T0, 10, new HeaderDictionary { ["ETag"] = "\"a\"", ["Last-Modified"] = HttpDates.Format(T0.AddDays(1)) }));
    }
}
