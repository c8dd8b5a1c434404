using System.Net;
using Microsoft.AspNetCore.Http;
using Vigil.Caching.Rules;

namespace Vigil.Caching.Tests.Integration;

/// <summary>Byte ranges served from stored responses, between a real Kestrel front and a real Kestrel origin (RFC 9110 §14).</summary>
public class RangeTests
{
    private const string Tag = "\"r1\"";
    private static readonly byte[] Body = [.. Enumerable.Range(0, 1024).Select(i => (byte)(i * 7 % 251))];

    private static string CacheStatus(HttpResponseMessage r) =>
        r.Headers.TryGetValues("Cache-Status", out var v) ? string.Join(", ", v) : "";

    /// <summary>An origin like a file server: 1 KiB body, strong ETag, Last-Modified two hours back, Accept-Ranges.</summary>
    private static Func<HttpContext, Task> FileOrigin(CacheFront f, string cacheControl = "max-age=60", string acceptRanges = "bytes") => async ctx =>
    {
        var now = f.Clock.GetUtcNow();
        var headers = ctx.Response.Headers;
        headers.Date = HttpDates.Format(now);
        headers.CacheControl = cacheControl;
        headers.ETag = Tag;
        headers.LastModified = HttpDates.Format(LastModified(f));
        headers.AcceptRanges = acceptRanges;
        headers.ContentType = "application/octet-stream";
        if (ctx.Request.Headers.IfNoneMatch == Tag)
        {
            ctx.Response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }
        await ctx.Response.Body.WriteAsync(Body);
    };

    private static DateTimeOffset LastModified(CacheFront f) =>
        DateTimeOffset.FromUnixTimeSeconds(f.Clock.GetUtcNow().ToUnixTimeSeconds()).AddHours(-2);

    private static async Task<(HttpResponseMessage Response, byte[] Body)> SendAsync(CacheFront f, HttpMethod method, string path,
        params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(method, path);
        foreach (var (name, value) in headers) request.Headers.TryAddWithoutValidation(name, value);
        var response = await f.Client.SendAsync(request);
        return (response, await response.Content.ReadAsByteArrayAsync());
    }

    private static Task<(HttpResponseMessage Response, byte[] Body)> GetAsync(CacheFront f, string path, params (string Name, string Value)[] headers) =>
        SendAsync(f, HttpMethod.Get, path, headers);

    /// <summary>Stores /file with a plain GET and checks it was stored.</summary>
    private static async Task<CacheFront> StartWithStoredFileAsync(string cacheControl = "max-age=60", string acceptRanges = "bytes")
    {
        var f = await CacheFront.StartAsync();
        f.Origin.Handler = FileOrigin(f, cacheControl, acceptRanges);
        var (first, body) = await GetAsync(f, "/file");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("Vigil; fwd=miss; stored", CacheStatus(first));
        Assert.Equal(Body, body);
        Assert.Equal(1, f.Origin.Total);
        return f;
    }

    [Fact]
    public async Task Rfc9110_14_2_HitWithRangeIsAnswered206WithExactBytes()
    {
        await using var f = await StartWithStoredFileAsync();
        f.Clock.Advance(TimeSpan.FromSeconds(3));

        var (r, body) = await GetAsync(f, "/file", ("Range", "bytes=0-9"));
        Assert.Equal(HttpStatusCode.PartialContent, r.StatusCode);
        Assert.Equal(Body[..10], body);
        Assert.Equal("bytes 0-9/1024", r.Content.Headers.ContentRange!.ToString());
        Assert.Equal(10, r.Content.Headers.ContentLength);
        // A 206 carries the fields of the 200 (RFC 9110 §15.3.7), Age and Cache-Status of a hit.
        Assert.Equal(Tag, r.Headers.ETag!.ToString());
        Assert.Equal("application/octet-stream", r.Content.Headers.ContentType!.ToString());
        Assert.Equal("bytes", string.Join(",", r.Headers.AcceptRanges));
        Assert.Equal("max-age=60", r.Headers.CacheControl!.ToString());
        Assert.Equal(TimeSpan.FromSeconds(3), r.Headers.Age);
        Assert.Equal("Vigil; hit", CacheStatus(r));

        var (open, openBody) = await GetAsync(f, "/file", ("Range", "bytes=1000-"));
        Assert.Equal(HttpStatusCode.PartialContent, open.StatusCode);
        Assert.Equal(Body[1000..], openBody);
        Assert.Equal("bytes 1000-1023/1024", open.Content.Headers.ContentRange!.ToString());

        var (suffix, suffixBody) = await GetAsync(f, "/file", ("Range", "bytes=-10"));
        Assert.Equal(HttpStatusCode.PartialContent, suffix.StatusCode);
        Assert.Equal(Body[^10..], suffixBody);
        Assert.Equal("bytes 1014-1023/1024", suffix.Content.Headers.ContentRange!.ToString());

        var (past, pastBody) = await GetAsync(f, "/file", ("Range", "bytes=500-99999"));
        Assert.Equal(HttpStatusCode.PartialContent, past.StatusCode);
        Assert.Equal(Body[500..], pastBody);

        Assert.Equal(1, f.Origin.Total);
        Assert.Equal(4, f.Cache.Counters.Hits);
    }

    [Fact]
    public async Task Rfc9110_15_5_17_UnsatisfiableRangeIsAnswered416WithTheLength()
    {
        await using var f = await StartWithStoredFileAsync();
        var (r, body) = await GetAsync(f, "/file", ("Range", "bytes=1024-"));
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, r.StatusCode);
        Assert.Equal("bytes */1024", r.Content.Headers.ContentRange!.ToString());
        Assert.Empty(body);
        Assert.Equal(0, r.Content.Headers.ContentLength);
        // The 416 keeps the validators but no freshness, so no downstream cache stores it for the URL.
        Assert.Equal(Tag, r.Headers.ETag!.ToString());
        Assert.Null(r.Headers.CacheControl);
        Assert.Null(r.Content.Headers.ContentType);
        Assert.Equal("Vigil; hit", CacheStatus(r));

        var (zero, _) = await GetAsync(f, "/file", ("Range", "bytes=-0"));
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, zero.StatusCode);
        Assert.Equal(1, f.Origin.Total);

        // The stored response is untouched: a plain GET still gets all of it.
        var (full, fullBody) = await GetAsync(f, "/file");
        Assert.Equal(HttpStatusCode.OK, full.StatusCode);
        Assert.Equal(Body, fullBody);
    }

    [Theory]
    [InlineData("bytes=0-9,20-29")]   // several ranges: the whole body, as RFC 9110 §14.2 allows
    [InlineData("bytes=9-0")]         // invalid: ignored
    [InlineData("bytes=abc")]         // malformed: ignored, never an error
    [InlineData("pages=1-2")]         // unknown unit: ignored
    public async Task Rfc9110_14_2_IgnoredRangeGetsTheWhole200(string range)
    {
        await using var f = await StartWithStoredFileAsync();
        var (r, body) = await GetAsync(f, "/file", ("Range", range));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal(Body, body);
        Assert.Null(r.Content.Headers.ContentRange);
        Assert.Equal("Vigil; hit", CacheStatus(r));
        Assert.Equal(1, f.Origin.Total);
    }

    [Fact]
    public async Task Rfc9110_13_1_5_IfRangeWithTheStoredEtagServesTheRange()
    {
        await using var f = await StartWithStoredFileAsync();
        var (match, matchBody) = await GetAsync(f, "/file", ("Range", "bytes=10-19"), ("If-Range", Tag));
        Assert.Equal(HttpStatusCode.PartialContent, match.StatusCode);
        Assert.Equal(Body[10..20], matchBody);
        Assert.Equal("bytes 10-19/1024", match.Content.Headers.ContentRange!.ToString());

        var (byDate, dateBody) = await GetAsync(f, "/file", ("Range", "bytes=10-19"), ("If-Range", HttpDates.Format(LastModified(f))));
        Assert.Equal(HttpStatusCode.PartialContent, byDate.StatusCode);
        Assert.Equal(Body[10..20], dateBody);
        Assert.Equal(1, f.Origin.Total);
    }

    [Fact]
    public async Task Rfc9110_13_1_5_IfRangeMismatchSendsTheWholeResponse()
    {
        await using var f = await StartWithStoredFileAsync();
        foreach (var ifRange in new[] { "\"other\"", "W/\"r1\"", HttpDates.Format(LastModified(f).AddSeconds(-1)) })
        {
            var (r, body) = await GetAsync(f, "/file", ("Range", "bytes=10-19"), ("If-Range", ifRange));
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal(Body, body);
            Assert.Null(r.Content.Headers.ContentRange);
        }
        Assert.Equal(1, f.Origin.Total);
    }

    [Fact]
    public async Task Rfc9110_14_2_HeadWithRangeGetsTheFull200Headers()
    {
        await using var f = await StartWithStoredFileAsync();
        var (r, body) = await SendAsync(f, HttpMethod.Head, "/file", ("Range", "bytes=0-9"));
        // GET is the only method with range handling; Range on HEAD MUST be ignored.
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal(1024, r.Content.Headers.ContentLength);
        Assert.Null(r.Content.Headers.ContentRange);
        Assert.Empty(body);
        Assert.Equal(1, f.Origin.Total);
    }

    [Fact]
    public async Task Rfc9110_13_2_2_MatchingIfNoneMatchWinsOverRange()
    {
        await using var f = await StartWithStoredFileAsync();
        var (r, body) = await GetAsync(f, "/file", ("Range", "bytes=0-9"), ("If-None-Match", Tag));
        Assert.Equal(HttpStatusCode.NotModified, r.StatusCode);
        Assert.Empty(body);
        Assert.Null(r.Content.Headers.ContentRange);
        Assert.Equal(1, f.Origin.Total);
    }

    [Fact]
    public async Task Rfc9110_14_3_AcceptRangesNoneFromTheOriginKeepsHitsWhole()
    {
        await using var f = await StartWithStoredFileAsync(acceptRanges: "none");
        var (r, body) = await GetAsync(f, "/file", ("Range", "bytes=0-9"));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal(Body, body);
        Assert.Equal(1, f.Origin.Total);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]   // through YARP's IHttpForwarder, as the proxy forwards
    public async Task MissWithRangePassesThroughAndTheWholeResponseIsStoredInTheBackground(bool yarp)
    {
        await using var f = await CacheFront.StartAsync(yarp: yarp);
        var serveFile = FileOrigin(f);
        var ranges = new System.Collections.Concurrent.ConcurrentQueue<string>();
        // The origin honours ranges itself, as a file server would.
        f.Origin.Handler = async ctx =>
        {
            ranges.Enqueue(ctx.Request.Headers.Range.ToString());
            if (ctx.Request.Headers.Range == "bytes=0-9")
            {
                ctx.Response.StatusCode = StatusCodes.Status206PartialContent;
                ctx.Response.Headers.ContentRange = "bytes 0-9/1024";
                ctx.Response.Headers.CacheControl = "max-age=60";
                await ctx.Response.Body.WriteAsync(Body.AsMemory(0, 10));
                return;
            }
            await serveFile(ctx);
        };

        var (r, body) = await GetAsync(f, "/file", ("Range", "bytes=0-9"));
        Assert.Equal(HttpStatusCode.PartialContent, r.StatusCode);
        Assert.Equal(Body[..10], body);
        Assert.Equal("bytes 0-9/1024", r.Content.Headers.ContentRange!.ToString());
        Assert.Equal("Vigil; fwd=request; detail=range", CacheStatus(r));
        Assert.Equal(1, f.Cache.Counters.Bypassed);

        // The 206 itself is not stored; the whole response, fetched beside it without the Range, is.
        Assert.True(await Eventually(() => f.Cache.Counters.Stored == 1));
        Assert.Equal(2, f.Origin.Total);
        Assert.Equal(["", "bytes=0-9"], ranges.Order(StringComparer.Ordinal)); // in either order: they ran side by side
        var (hit, hitBody) = await GetAsync(f, "/file", ("Range", "bytes=10-19"));
        Assert.Equal(HttpStatusCode.PartialContent, hit.StatusCode);
        Assert.Equal(Body[10..20], hitBody);
        Assert.Equal("bytes 10-19/1024", hit.Content.Headers.ContentRange!.ToString());
        Assert.Equal("Vigil; hit", CacheStatus(hit));
        Assert.Equal(2, f.Origin.Total);
    }

    [Fact]
    public async Task RangeMissOnAnObjectTooLargeToStoreStopsTheBackgroundFetchAtItsHeaders()
    {
        // 1 KiB objects at most; the origin's is 1 MiB and sent slowly, so a fetch that read it all would be seen.
        await using var f = await CacheFront.StartAsync(new CacheOptions { Name = "small", MemoryBytes = 16 * CacheOptions.MiB, MaxObjectBytes = 1024 });
        var big = new byte[1024 * 1024];
        var aborted = 0;
        f.Origin.Handler = async ctx =>
        {
            ctx.Response.Headers.CacheControl = "max-age=60";
            if (ctx.Request.Headers.Range == "bytes=0-9")
            {
                ctx.Response.StatusCode = StatusCodes.Status206PartialContent;
                ctx.Response.Headers.ContentRange = $"bytes 0-9/{big.Length}";
                await ctx.Response.Body.WriteAsync(big.AsMemory(0, 10));
                return;
            }
            ctx.Response.ContentLength = big.Length;
            try
            {
                for (var sent = 0; sent < big.Length; sent += 4096)
                {
                    await ctx.Response.Body.WriteAsync(big.AsMemory(sent, 4096), ctx.RequestAborted);
                    await ctx.Response.Body.FlushAsync(ctx.RequestAborted);
                    await Task.Delay(20, ctx.RequestAborted); // 256 writes: over 5 s in all
                }
            }
            catch (OperationCanceledException)
            {
                Interlocked.Exchange(ref aborted, 1);
            }
        };

        var (r, _) = await GetAsync(f, "/video", ("Range", "bytes=0-9"));
        Assert.Equal(HttpStatusCode.PartialContent, r.StatusCode);
        Assert.True(await Eventually(() => Volatile.Read(ref aborted) == 1), "the background fetch read on");
        Assert.Equal(0, f.Cache.Counters.Stored);

        // The key is now hit-for-pass: the next range miss fetches nothing in the background.
        var (again, _) = await GetAsync(f, "/video", ("Range", "bytes=0-9"));
        Assert.Equal(HttpStatusCode.PartialContent, again.StatusCode);
        await Task.Delay(200);
        Assert.Equal(3, f.Origin.Total);
    }

    private static async Task<bool> Eventually(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++) await Task.Delay(10);
        return condition();
    }

    [Fact]
    public async Task Rfc9111_4_3_4_StaleHitWithRangeRevalidatesThenServesTheRange()
    {
        await using var f = await StartWithStoredFileAsync(cacheControl: "max-age=10");
        f.Clock.Advance(TimeSpan.FromSeconds(20));
        var (r, body) = await GetAsync(f, "/file", ("Range", "bytes=100-199"));
        // Our validator went to the origin, which said 304: the range is cut from the refreshed stored response.
        Assert.Equal(Tag, f.Origin.LastRequestHeaders!.IfNoneMatch.ToString());
        Assert.Equal(HttpStatusCode.PartialContent, r.StatusCode);
        Assert.Equal(Body[100..200], body);
        Assert.Equal("bytes 100-199/1024", r.Content.Headers.ContentRange!.ToString());
        Assert.Equal("Vigil; fwd=stale; fwd-status=304", CacheStatus(r));
        Assert.Equal(2, f.Origin.Total);
    }
}
