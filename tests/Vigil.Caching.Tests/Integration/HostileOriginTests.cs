using System.Net;
using Microsoft.AspNetCore.Http;
using Vigil.Caching.Rules;

namespace Vigil.Caching.Tests.Integration;

/// <summary>
/// Issue 9's cache defects, end to end between a real Kestrel front and a real Kestrel origin: per-user fields
/// leaking through revalidation, hostile keys, purges that miss, and documented settings that did nothing.
/// </summary>
public class HostileOriginTests
{
    private static string CacheStatus(HttpResponseMessage r) =>
        r.Headers.TryGetValues("Cache-Status", out var v) ? string.Join(", ", v) : "";

    private static bool HasSetCookie(HttpResponseMessage r) => r.Headers.Contains("Set-Cookie");

    /// <summary>An origin that stores with max-age=10 and ETag "v1", and answers a matching revalidation with <paramref name="notModified"/>.</summary>
    private static Func<HttpContext, Task> Revalidating(CacheFront f, Action<HttpContext> notModified) => async ctx =>
    {
        ctx.Response.Headers.Date = HttpDates.Format(f.Clock.GetUtcNow());
        ctx.Response.Headers.ETag = "\"v1\"";
        if (ctx.Request.Headers.IfNoneMatch == "\"v1\"")
        {
            ctx.Response.StatusCode = 304;
            ctx.Response.Headers.CacheControl = "max-age=600";
            notModified(ctx);
            return;
        }
        ctx.Response.Headers.CacheControl = "max-age=10";
        if (HttpMethods.IsHead(ctx.Request.Method)) return;
        await ctx.Response.WriteAsync("page");
    };

    [Fact]
    public async Task Rfc9111_4_3_4_SetCookieOfA304NeverReachesTheSharedEntry()
    {
        await using var f = await CacheFront.StartAsync();
        f.Origin.Handler = Revalidating(f, ctx => ctx.Response.Headers.SetCookie = "sid=userA-SECRET");
        await f.GetAsync("/p");
        f.Clock.Advance(TimeSpan.FromSeconds(20));

        var (a, bodyA) = await f.GetAsync("/p", ("Cookie", "sid=userA"));
        Assert.Equal("page", bodyA);
        Assert.Equal("Vigil; fwd=stale; fwd-status=304", CacheStatus(a));
        // The cookie was meant for the client whose request drew it: that client gets it.
        Assert.True(HasSetCookie(a));

        // Freshened (max-age=600 from the 304), but without the first user's cookie.
        var (b, bodyB) = await f.GetAsync("/p");
        Assert.Equal("page", bodyB);
        Assert.Equal("Vigil; hit", CacheStatus(b));
        Assert.False(HasSetCookie(b));
        Assert.Equal(2, f.Origin.Total);
    }

    [Theory]
    [InlineData("private, max-age=600")]
    [InlineData("no-store")]
    public async Task Rfc9111_4_3_4_APrivateOrNoStore304DoesNotUpdateTheSharedEntry(string cacheControl)
    {
        await using var f = await CacheFront.StartAsync();
        f.Origin.Handler = Revalidating(f, ctx =>
        {
            ctx.Response.Headers.CacheControl = cacheControl;
            ctx.Response.Headers.SetCookie = "sid=userA-SECRET";
            ctx.Response.Headers["X-User"] = "userA";
        });
        await f.GetAsync("/p");
        f.Clock.Advance(TimeSpan.FromSeconds(20));

        var (a, bodyA) = await f.GetAsync("/p", ("Cookie", "sid=userA"));
        Assert.Equal(HttpStatusCode.OK, a.StatusCode);
        Assert.Equal("page", bodyA);
        Assert.Equal("userA", a.Headers.GetValues("X-User").Single());

        // The stored response was not touched: still stale, so the next user revalidates for itself.
        var (b, _) = await f.GetAsync("/p");
        Assert.Equal("Vigil; fwd=stale; fwd-status=304", CacheStatus(b));
        Assert.Equal(3, f.Origin.Total);
        Assert.True(f.Cache.Store.TryGet(CacheKey.FromUrl(f.Url("/p"))!, out var variants));
        var stored = variants.Entries.Single();
        Assert.DoesNotContain(stored.Headers, h => h.Key.Equals("Set-Cookie", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(stored.Headers, h => h.Key.Equals("X-User", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Rfc9111_4_3_5_SetCookieOfAHeadRefreshNeverReachesTheSharedEntry()
    {
        await using var f = await CacheFront.StartAsync();
        f.Origin.Handler = async ctx =>
        {
            ctx.Response.Headers.Date = HttpDates.Format(f.Clock.GetUtcNow());
            ctx.Response.Headers.ETag = "\"h1\"";
            if (HttpMethods.IsHead(ctx.Request.Method))
            {
                // This origin ignores conditions on HEAD, answers 200 and logs the user in.
                ctx.Response.Headers.CacheControl = "max-age=600";
                ctx.Response.Headers.SetCookie = "sid=userA-SECRET";
                ctx.Response.ContentLength = 4;
                return;
            }
            ctx.Response.Headers.CacheControl = "max-age=5";
            await ctx.Response.WriteAsync("body");
        };
        await f.GetAsync("/hd");
        f.Clock.Advance(TimeSpan.FromSeconds(10));
        using (var head = await f.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/hd")))
            Assert.True(HasSetCookie(head));

        var (hit, body) = await f.GetAsync("/hd");
        Assert.Equal("Vigil; hit", CacheStatus(hit));
        Assert.Equal("body", body);
        Assert.False(HasSetCookie(hit));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // YARP's forwarder, as the proxy's YarpUpstream uses it
    public async Task ATruncatedChunkedBodyIsNeverStored(bool yarp)
    {
        await using var f = await CacheFront.StartAsync(yarp: yarp);
        f.Origin.Handler = async ctx =>
        {
            ctx.Response.Headers.CacheControl = "max-age=60";
            if (f.Origin.Total == 1)
            {
                // The first chunk, then the origin goes away without the last chunk.
                await ctx.Response.WriteAsync("hello");
                await ctx.Response.Body.FlushAsync();
                // Let the chunk leave before the reset (an abort drops output still queued).
                await Task.Delay(200);
                ctx.Abort();
                return;
            }
            await ctx.Response.WriteAsync("hello world");
        };
        try
        {
            await f.GetAsync("/t");
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            // The client was cut off, as it must be.
        }
        // The client sees the cut before the cache has finished with the response: wait for it (bounded).
        for (var i = 0; i < 500 && f.Cache.Counters.Incomplete == 0; i++) await Task.Delay(10);
        Assert.Equal(0, f.Cache.Counters.Stored);
        Assert.Equal(1, f.Cache.Counters.Incomplete);
        var (second, body) = await f.GetAsync("/t");
        Assert.Equal("hello world", body);
        Assert.Equal("Vigil; fwd=miss; stored", CacheStatus(second));
        Assert.Equal("hello world", (await f.GetAsync("/t")).Body);
        Assert.Equal(2, f.Origin.Total);
    }

    [Fact]
    public async Task AResponseWhoseOutcomeIsNotReportedIsNotStored()
    {
        await using var f = await CacheFront.StartAsync();
        f.Origin.Handler = async ctx =>
        {
            ctx.Response.Headers.CacheControl = "max-age=60";
            await ctx.Response.WriteAsync("x");
        };
        // An origin delegate that relays the response but never says whether it was whole.
        var silent = new Microsoft.AspNetCore.Http.DefaultHttpContext();
        silent.Request.Method = "GET";
        silent.Request.Scheme = "http";
        silent.Request.Host = new HostString("silent.test");
        silent.Request.Path = "/x";
        await f.Cache.HandleAsync(silent, async c =>
        {
            c.Response.Headers.CacheControl = "max-age=60";
            await c.Response.WriteAsync("x");
        });
        Assert.Equal(0, f.Cache.Counters.Stored);
        Assert.Equal(1, f.Cache.Counters.Incomplete);
    }

    /// <summary>A valid host name of about <paramref name="length"/> characters (labels of 60: Kestrel refuses longer labels), distinct per <paramref name="i"/>.</summary>
    private static string LongHost(int length, int i) =>
        $"h{i}." + string.Join('.', Enumerable.Repeat(new string('h', 60), length / 61 + 1)) + ".test";

    [Fact]
    public async Task AResponseTheRulesCannotEvaluateIsPassedOnWithOneLogLineNotAnException()
    {
        var log = new RecordingLogger();
        using var cache = new HttpCache(new CacheOptions { Name = "t", MemoryBytes = CacheOptions.MiB }, logger: log);
        var context = new DefaultHttpContext();
        context.Request.Method = "GET";
        context.Request.Scheme = "http";
        context.Request.Host = new HostString("odd.test");
        context.Request.Path = "/odd";
        var body = new MemoryStream();
        context.Response.Body = body;
        // No wire carries a null field value, but a forwarder bug could: the cache's own parsing of it throws.
        await cache.HandleAsync(context, async c =>
        {
            c.Response.Headers.CacheControl = "max-age=60";
            c.Response.Headers.ETag = new Microsoft.Extensions.Primitives.StringValues([null, "\"x\""]);
            await c.Response.WriteAsync("passed on");
            c.Features.Set<IOriginOutcomeFeature>(OriginOutcomeFeature.Of(OriginOutcome.Complete));
        });
        Assert.Equal("passed on", System.Text.Encoding.UTF8.GetString(body.ToArray()));
        Assert.Equal(0, cache.Counters.Stored);
        Assert.Equal(1, cache.Counters.Rejected);
        var line = Assert.Single(log.Lines, l => l.EventId == 4102);
        Assert.Contains("/odd not stored: NullReferenceException", line.Message);
        Assert.Null(line.Exception);
    }

    /// <summary>Every line the cache logs, with its event id and any exception attached.</summary>
    private sealed class RecordingLogger : Microsoft.Extensions.Logging.ILogger<HttpCache>
    {
        private readonly List<(int EventId, string Message, Exception? Exception)> _lines = [];

        public IReadOnlyList<(int EventId, string Message, Exception? Exception)> Lines
        {
            get { lock (_lines) return _lines.ToList(); }
        }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state,
            Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_lines) _lines.Add((eventId.Id, formatter(state, exception), exception));
        }
    }

    [Fact]
    public async Task HostileKeysAreNeitherStoredNorMarked()
    {
        await using var f = await CacheFront.StartAsync();
        f.Origin.Handler = async ctx =>
        {
            ctx.Response.Headers.CacheControl = ctx.Request.Path == "/nostore" ? "no-store" : "max-age=60";
            await ctx.Response.WriteAsync("x");
        };
        for (var i = 0; i < 50; i++)
        {
            var host = LongHost(30_000, i);
            var (r, body) = await f.GetAsync(i % 2 == 0 ? "/nostore" : "/store", ("Host", host));
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal("x", body);
            Assert.Equal("Vigil; fwd=bypass; detail=key-too-long", CacheStatus(r));
        }
        Assert.Equal(50, f.Origin.Total);
        Assert.Equal(0, f.Cache.Store.Keys);
        Assert.Equal(0, f.Cache.Store.Bytes);
        Assert.Equal(0, f.Cache.InFlightCount);
    }

    [Fact]
    public async Task LargeKeysUnderTheLimitAreChargedTheirRealSize()
    {
        await using var f = await CacheFront.StartAsync(new CacheOptions { Name = "t", MemoryBytes = 256 * 1024 });
        f.Origin.Handler = async ctx =>
        {
            ctx.Response.Headers.CacheControl = "no-store";
            await ctx.Response.WriteAsync("x");
        };
        for (var i = 0; i < 100; i++) await f.GetAsync("/", ("Host", LongHost(3000, i)));
        var keys = f.Cache.Store.Keys;
        Assert.True(keys > 0);
        // Every hit-for-pass mark holds a key of over 3,000 characters (6 KB): the accounting covers them all
        // and the budget bounds them, so the marks held cannot outgrow the configured memory.
        Assert.True(f.Cache.Store.Bytes >= keys * 6000L, $"{keys} marks reported as {f.Cache.Store.Bytes} bytes");
        Assert.True(f.Cache.Store.Bytes <= f.Cache.Store.BudgetBytes);
    }

    [Theory]
    [InlineData("http://www.example.test/a%7Eb/./c?q=%41&x=1")]
    [InlineData("HTTP://WWW.Example.TEST:80/a%7Eb/./c?q=%41&x=1")]
    [InlineData("http://www.example.test:80/a%7Eb/./c?q=%41&x=1#fragment")]
    public async Task PurgeByUrlRemovesWhatTheSameUrlStored(string purgeUrl)
    {
        await using var f = await CacheFront.StartAsync();
        f.Origin.Handler = async ctx =>
        {
            ctx.Response.Headers.CacheControl = "max-age=60";
            await ctx.Response.WriteAsync("x");
        };
        // HttpClient would normalise the target (%7E → ~, dot segments): send it byte for byte.
        Assert.Contains("Cache-Status: Vigil; fwd=miss; stored", await RawGetAsync(f, "/a%7Eb/./c?q=%41&x=1", "WWW.Example.Test:80"));
        // Spelled differently in a way the key keeps apart (the origin may tell them apart): not this entry.
        Assert.False(f.Cache.Purge("http://www.example.test/a~b/c?q=A&x=1"));
        Assert.True(f.Cache.Purge(purgeUrl));
        Assert.Equal(0, f.Cache.Store.Entries);
        Assert.Contains("Cache-Status: Vigil; fwd=miss; stored", await RawGetAsync(f, "/a%7Eb/./c?q=%41&x=1", "www.example.test"));
        Assert.Equal(1, f.Cache.PurgePrefix("http://WWW.example.test:80/a%7Eb/"));
        Assert.Equal(0, f.Cache.Store.Entries);
    }

    /// <summary>One GET with exactly this request target and Host, on its own connection; the response head and body as text.</summary>
    private static async Task<string> RawGetAsync(CacheFront f, string target, string host)
    {
        var front = new Uri(f.Url("/"));
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, front.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes($"GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"));
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task Rfc5861_ConfiguredStaleIfErrorServesStaleWhenTheOriginIsGone()
    {
        await using var f = await CacheFront.StartAsync(new CacheOptions
        {
            Name = "t", MemoryBytes = CacheOptions.MiB, Grace = TimeSpan.Zero, StaleIfError = TimeSpan.FromMinutes(5),
        });
        f.Origin.Handler = async ctx =>
        {
            ctx.Response.Headers.Date = HttpDates.Format(f.Clock.GetUtcNow());
            ctx.Response.Headers.CacheControl = "max-age=5";
            await ctx.Response.WriteAsync("kept");
        };
        await f.GetAsync("/sie");
        await f.Origin.StopAsync();
        f.Clock.Advance(TimeSpan.FromSeconds(60));
        var (r, body) = await f.GetAsync("/sie");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("kept", body);
        Assert.Equal("Vigil; hit; fwd=stale; fwd-status=502; detail=stale-if-error", CacheStatus(r));

        // Past the configured window the error shows through.
        f.Clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(HttpStatusCode.BadGateway, (await f.GetAsync("/sie")).Response.StatusCode);
    }

    [Fact]
    public async Task Rfc5861_ConfiguredStaleWhileRevalidateServesStaleAndRefreshes()
    {
        await using var f = await CacheFront.StartAsync(new CacheOptions
        {
            Name = "t", MemoryBytes = CacheOptions.MiB, StaleWhileRevalidate = TimeSpan.FromSeconds(60),
        });
        f.Origin.Handler = async ctx =>
        {
            ctx.Response.Headers.Date = HttpDates.Format(f.Clock.GetUtcNow());
            ctx.Response.Headers.CacheControl = "max-age=5";
            await ctx.Response.WriteAsync($"v{f.Origin.Total}");
        };
        await f.GetAsync("/swr");
        f.Clock.Advance(TimeSpan.FromSeconds(10));
        var (stale, body) = await f.GetAsync("/swr");
        Assert.Equal("v1", body);
        Assert.Equal("Vigil; hit; detail=stale-while-revalidate", CacheStatus(stale));
        for (var i = 0; i < 500 && (f.Origin.Total < 2 || f.Cache.InFlightCount > 0); i++) await Task.Delay(20);
        Assert.Equal("v2", (await f.GetAsync("/swr")).Body);

        // An origin's own stale-while-revalidate=0 wins over the configured default.
        f.Origin.Handler = async ctx =>
        {
            ctx.Response.Headers.Date = HttpDates.Format(f.Clock.GetUtcNow());
            ctx.Response.Headers.CacheControl = "max-age=5, stale-while-revalidate=0";
            await ctx.Response.WriteAsync("strict");
        };
        await f.GetAsync("/strict");
        f.Clock.Advance(TimeSpan.FromSeconds(10));
        var (strict, _) = await f.GetAsync("/strict");
        Assert.Equal("Vigil; fwd=stale; fwd-status=200; stored", CacheStatus(strict));
    }

    [Fact]
    public async Task ADiskOnlyCacheStoresAndServesFromDisk()
    {
        var dir = Path.Combine(Path.GetTempPath(), "vigil-disk-only-" + Guid.NewGuid().ToString("N"));
        try
        {
            var options = new CacheOptions { Name = "disk", MemoryBytes = 0, DiskPath = dir, DiskBytes = 16 * CacheOptions.MiB };
            Assert.Empty(options.Validate());
            await using var f = await CacheFront.StartAsync(options);
            f.Origin.Handler = async ctx =>
            {
                ctx.Response.Headers.Date = HttpDates.Format(f.Clock.GetUtcNow());
                ctx.Response.Headers.CacheControl = "max-age=60";
                await ctx.Response.WriteAsync("from disk");
            };
            var (miss, _) = await f.GetAsync("/d");
            Assert.Equal("Vigil; fwd=miss; stored", CacheStatus(miss));
            await f.Cache.Disk!.FlushAsync();
            Assert.Equal(1, f.Cache.Disk.Entries);
            var (hit, body) = await f.GetAsync("/d");
            Assert.Equal("Vigil; hit", CacheStatus(hit));
            Assert.Equal("from disk", body);
            Assert.Equal(1, f.Origin.Total);
            // Nothing is kept in memory: memory 0 means what it says.
            Assert.Equal(0, f.Cache.Store.Entries);
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }
}
