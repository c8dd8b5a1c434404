using System.Net;
using Microsoft.AspNetCore.Http;
using Vigil.Caching.Rules;

namespace Vigil.Caching.Tests.Integration;

/// <summary>The cache step between a real Kestrel front and a real Kestrel origin on loopback.</summary>
public class HttpCacheTests
{
    private static string CacheStatus(HttpResponseMessage r) =>
        r.Headers.TryGetValues("Cache-Status", out var v) ? string.Join(", ", v) : "";

    private static Func<HttpContext, Task> Respond(CacheFront f, string cacheControl, Func<HttpContext, string>? body = null,
        string? etag = null, Action<HttpContext>? more = null) => async ctx =>
    {
        ctx.Response.Headers.Date = HttpDates.Format(f.Clock.GetUtcNow());
        if (cacheControl.Length > 0) ctx.Response.Headers.CacheControl = cacheControl;
        if (etag is not null)
        {
            ctx.Response.Headers.ETag = etag;
            if (ctx.Request.Headers.IfNoneMatch == etag)
            {
                ctx.Response.StatusCode = 304;
                return;
            }
        }
        more?.Invoke(ctx);
        await ctx.Response.WriteAsync(body?.Invoke(ctx) ?? $"body {f.Origin.Total}");
    };

    [Fact]
    public async Task FreshHitIsServedFromCacheWithAgeAndCacheStatus()
    {
        await using var f = await CacheFront.StartAsync();
        f.Origin.Handler = Respond(f, "max-age=60");

        var (first, body1) = await f.GetAsync("/a?x=1");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("Vigil; fwd=miss; stored", CacheStatus(first));

        f.Clock.Advance(TimeSpan.FromSeconds(7));
        var (second, body2) = await f.GetAsync("/a?x=1");
        Assert.Equal(body1, body2);
        Assert.Equal("Vigil; hit", CacheStatus(second));
        Assert.Equal(TimeSpan.FromSeconds(7), second.Headers.Age);
        Assert.Equal(1, f.Origin.Total);

        // A different query string is a different key.
        await f.GetAsync("/a?x=2");
        Assert.Equal(2, f.Origin.Total);
        Assert.Equal(1, f.Cache.Counters.Hits);
        Assert.Equal(2, f.Cache.Counters.Misses);
    }

    [Fact]
    public async Task HeadIsAnsweredFromStoredGet()
    {
        await using var f = await CacheFront.StartAsync();
        f.Origin.Handler = Respond(f, "max-age=60", _ => "0123456789");
        await f.GetAsync("/h");
        using var head = await f.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/h"));
        Assert.Equal("Vigil; hit", CacheStatus(head));
        Assert.Equal(10, head.Content.Headers.ContentLength);
        Assert.Equal(1, f.Origin.Total);
    }

    [Fact]
    public async Task ExpiredResponseIsFetchedAgain()
    {
        await using var f = await CacheFront.StartAsync();
        f.Origin.Handler = Respond(f, "max-age=10");
        var (_, b1) = await f.GetAsync("/e");
        f.Clock.Advance(TimeSpan.FromSeconds(11));
        var (r2, b2) = await f.GetAsync("/e");
        Assert.Equal(2, f.Origin.Total);
        Assert.NotEqual(b1, b2);
        Assert.Equal("Vigil; fwd=stale; fwd-status=200; stored", CacheStatus(r2));
        var (r3, b3) = await f.GetAsync("/e");
        Assert.Equal(b2, b3);
        Assert.Equal("Vigil; hit", CacheStatus(r3));
    }

    [Fact]
    public async Task StaleResponseIsRevalidatedWith304AndRefreshed()
    {
        await using var f = await CacheFront.StartAsync();
        f.Origin.Handler = Respond(f, "max-age=10", etag: "\"v1\"", more: ctx => ctx.Response.Headers["X-Version"] = "1");
        var (_, b1) = await f.GetAsync("/r");
        f.Clock.Advance(TimeSpan.FromSeconds(15));

        var (r2, b2) = await f.GetAsync("/r");
        Assert.Equal(2, f.Origin.Total);
        Assert.Equal("\"v1\"", f.Origin.LastRequestHeaders!.IfNoneMatch.ToString());
        Assert.Equal(HttpStatusCode.OK, r2.StatusCode);
        Assert.Equal(b1, b2);
        Assert.Equal("Vigil; fwd=stale; fwd-status=304", CacheStatus(r2));
        Assert.Equal(1, f.Cache.Counters.NotModified);

        // Freshened: the next request within the new lifetime is a hit.
        f.Clock.Advance(TimeSpan.FromSeconds(5));
        var (r3, b3) = await f.GetAsync("/r");
        Assert.Equal("Vigil; hit", CacheStatus(r3));
        Assert.Equal(b1, b3);
        Assert.Equal(2, f.Origin.Total);
    }

    [Fact]
    public async Task ClientConditionalIsAnswered304FromCache()
    {
        await using var f = await CacheFront.StartAsync();
        f.Origin.Handler = Respond(f, "max-age=60", etag: "\"abc\"");
        await f.GetAsync("/c");
        var (r, body) = await f.GetAsync("/c", ("If-None-Match", "\"abc\""));
        Assert.Equal(HttpStatusCode.NotModified, r.StatusCode);
        Assert.Equal("", body);
        Assert.Equal("\"abc\"", r.Headers.ETag!.ToString());
        var (other, _) = await f.GetAsync("/c", ("If-None-Match", "\"zzz\""));
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.Equal(1, f.Origin.Total);
    }

    [Fact]
    public async Task VarySelectsTheMatchingVariant()
    {
        await using var f = await CacheFront.StartAsync();
        f.Origin.Handler = Respond(f, "max-age=60", ctx => "lang=" + ctx.Request.Headers.AcceptLanguage,
            more: ctx => ctx.Response.Headers.Vary = "Accept-Language");

        Assert.Equal("lang=fr", (await f.GetAsync("/v", ("Accept-Language", "fr"))).Body);
        var (de, deBody) = await f.GetAsync("/v", ("Accept-Language", "de"));
        Assert.Equal("lang=de", deBody);
        Assert.Equal("Vigil; fwd=vary-miss; stored", CacheStatus(de));
        var (fr, frBody) = await f.GetAsync("/v", ("Accept-Language", "fr"));
        Assert.Equal("lang=fr", frBody);
        Assert.Equal("Vigil; hit", CacheStatus(fr));
        Assert.Equal("lang=de", (await f.GetAsync("/v", ("Accept-Language", "de"))).Body);
        Assert.Equal(2, f.Origin.Total);
        Assert.Equal(2, f.Cache.Store.Entries);
    }

    [Fact]
    public async Task UnsafeMethodInvalidatesTargetAndLocation()
    {
        await using var f = await CacheFront.StartAsync();
        f.Origin.Handler = async ctx =>
        {
            if (HttpMethods.IsPost(ctx.Request.Method))
            {
                ctx.Response.StatusCode = 201;
                ctx.Response.Headers.Location = "/items/7";
                return;
            }
            await Respond(f, "max-age=60")(ctx);
        };
        await f.GetAsync("/items");
        await f.GetAsync("/items/7");
        Assert.Equal("Vigil; hit", CacheStatus((await f.GetAsync("/items")).Response));

        using var post = await f.Client.PostAsync("/items", new StringContent("new"));
        Assert.Equal(HttpStatusCode.Created, post.StatusCode);
        Assert.Equal("Vigil; fwd=method", CacheStatus(post));

        Assert.Equal("Vigil; fwd=miss; stored", CacheStatus((await f.GetAsync("/items")).Response));
        Assert.Equal("Vigil; fwd=miss; stored", CacheStatus((await f.GetAsync("/items/7")).Response));
        Assert.Equal(2, f.Cache.Counters.Invalidations);
        Assert.Equal(5, f.Origin.Total);
    }

    [Theory]
    [InlineData("no-store", "no-store")]
    [InlineData("private, max-age=60", "private")]
    public async Task NoStoreAndPrivateAreNotStored(string cacheControl, string detail)
    {
        await using var f = await CacheFront.StartAsync();
        f.Origin.Handler = Respond(f, cacheControl);
        var (r1, b1) = await f.GetAsync("/p");
        Assert.Equal($"Vigil; fwd=miss; detail={detail}", CacheStatus(r1));
        var (r2, b2) = await f.GetAsync("/p");
        Assert.NotEqual(b1, b2);
        Assert.Equal(2, f.Origin.Total);
        Assert.Equal(0, f.Cache.Store.Entries);
        // The uncacheable answer is remembered: the second request went straight to the origin.
        Assert.Equal("Vigil; fwd=miss; detail=hit-for-pass", CacheStatus(r2));
        Assert.Equal(1, f.Cache.Counters.HitForPass);
    }

    [Fact]
    public async Task SetCookieIsNotStoredUnlessConfigured()
    {
        await using (var f = await CacheFront.StartAsync())
        {
            f.Origin.Handler = Respond(f, "max-age=60", more: ctx => ctx.Response.Headers.SetCookie = "sid=alice");
            var (r, _) = await f.GetAsync("/s");
            Assert.Equal("Vigil; fwd=miss; detail=set-cookie", CacheStatus(r));
            await f.GetAsync("/s");
            Assert.Equal(2, f.Origin.Total);
        }
        await using (var f = await CacheFront.StartAsync(new CacheOptions { Name = "t", MemoryBytes = CacheOptions.MiB, StoreSetCookie = true }))
        {
            f.Origin.Handler = Respond(f, "max-age=60", more: ctx => ctx.Response.Headers.SetCookie = "theme=dark");
            await f.GetAsync("/s");
            var (r, _) = await f.GetAsync("/s");
            Assert.Equal("Vigil; hit", CacheStatus(r));
            Assert.Equal(1, f.Origin.Total);
        }
    }

    [Fact]
    public async Task AuthorizedRequestsShareOnlyPublicResponses()
    {
        await using var f = await CacheFront.StartAsync();
        f.Origin.Handler = ctx => Respond(f, ctx.Request.Path == "/pub" ? "public, max-age=60" : "max-age=60")(ctx);
        await f.GetAsync("/priv", ("Authorization", "Bearer a"));
        await f.GetAsync("/priv", ("Authorization", "Bearer b"));
        Assert.Equal(2, f.Origin.Count("/priv"));
        await f.GetAsync("/pub", ("Authorization", "Bearer a"));
        Assert.Equal("Vigil; hit", CacheStatus((await f.GetAsync("/pub", ("Authorization", "Bearer b"))).Response));
        Assert.Equal(1, f.Origin.Count("/pub"));
    }

    [Fact]
    public async Task HundredConcurrentMissesMakeOneOriginRequest()
    {
        await using var f = await CacheFront.StartAsync();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        f.Origin.Handler = async ctx =>
        {
            // Hold the origin's answer until every client request has reached the cache.
            await release.Task.WaitAsync(TimeSpan.FromSeconds(20));
            await Respond(f, "max-age=60", _ => "shared")(ctx);
        };

        var requests = Enumerable.Range(0, 100).Select(_ => f.GetAsync("/hot")).ToArray();
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (f.Cache.InFlightCount == 0 && DateTime.UtcNow < deadline) await Task.Delay(10);
        await Task.Delay(500); // let the other 99 queue behind the leader (bounded; the assertion holds either way)
        release.SetResult();
        var results = await Task.WhenAll(requests);

        Assert.All(results, r => Assert.Equal(HttpStatusCode.OK, r.Response.StatusCode));
        Assert.All(results, r => Assert.Equal("shared", r.Body));
        Assert.Equal(1, f.Origin.Total);
        Assert.Equal(99, f.Cache.Counters.Collapsed + f.Cache.Counters.Hits);
        Assert.True(f.Cache.Counters.Collapsed > 0);
        Assert.Contains(results, r => CacheStatus(r.Response) == "Vigil; fwd=miss; collapsed");
    }

    [Fact]
    public async Task StaleIfErrorServesStaleWhileOriginIsStopped()
    {
        await using var f = await CacheFront.StartAsync(new CacheOptions { Name = "t", MemoryBytes = CacheOptions.MiB, Grace = TimeSpan.Zero });
        f.Origin.Handler = ctx => Respond(f, ctx.Request.Path == "/sie" ? "max-age=5, stale-if-error=60" : "max-age=5")(ctx);
        var (_, body) = await f.GetAsync("/sie");
        await f.GetAsync("/plain");
        await f.Origin.StopAsync();
        f.Clock.Advance(TimeSpan.FromSeconds(30));

        var (stale, staleBody) = await f.GetAsync("/sie");
        Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        Assert.Equal(body, staleBody);
        Assert.Equal("Vigil; hit; fwd=stale; fwd-status=502; detail=stale-if-error", CacheStatus(stale));
        Assert.Equal(TimeSpan.FromSeconds(30), stale.Headers.Age);

        // Without stale-if-error (and no grace) the client sees the error.
        var (plain, _) = await f.GetAsync("/plain");
        Assert.Equal(HttpStatusCode.BadGateway, plain.StatusCode);

        // Past the stale-if-error window the error shows through too.
        f.Clock.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(HttpStatusCode.BadGateway, (await f.GetAsync("/sie")).Response.StatusCode);
    }

    [Fact]
    public async Task GraceServesStaleWhenOriginAnswers5xx()
    {
        await using var f = await CacheFront.StartAsync(new CacheOptions { Name = "t", MemoryBytes = CacheOptions.MiB, Grace = TimeSpan.FromMinutes(5) });
        var failing = false;
        f.Origin.Handler = ctx =>
        {
            if (failing) { ctx.Response.StatusCode = 503; return Task.CompletedTask; }
            return Respond(f, "max-age=5", _ => "good")(ctx);
        };
        await f.GetAsync("/g");
        failing = true;
        f.Clock.Advance(TimeSpan.FromSeconds(60));
        var (r, body) = await f.GetAsync("/g");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("good", body);
        Assert.Equal("Vigil; hit; fwd=stale; fwd-status=503; detail=stale-if-error", CacheStatus(r));
        Assert.Equal(1, f.Cache.Counters.StaleServed);
    }

    [Fact]
    public async Task StaleWhileRevalidateServesStaleAndRefreshesOnceInBackground()
    {
        await using var f = await CacheFront.StartAsync();
        f.Origin.Handler = Respond(f, "max-age=5, stale-while-revalidate=60", _ => $"v{f.Origin.Total}");
        var (_, b1) = await f.GetAsync("/swr");
        Assert.Equal("v1", b1);
        f.Clock.Advance(TimeSpan.FromSeconds(10));

        var (stale, b2) = await f.GetAsync("/swr");
        Assert.Equal("v1", b2);
        Assert.Equal("Vigil; hit; detail=stale-while-revalidate", CacheStatus(stale));

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((f.Origin.Total < 2 || f.Cache.InFlightCount > 0) && DateTime.UtcNow < deadline) await Task.Delay(10);
        Assert.Equal(2, f.Origin.Total);

        var (fresh, b3) = await f.GetAsync("/swr");
        Assert.Equal("v2", b3);
        Assert.Equal("Vigil; hit", CacheStatus(fresh));
        Assert.Equal(2, f.Origin.Total);
    }

    [Fact]
    public async Task PurgeByUrlAndByPrefix()
    {
        await using var f = await CacheFront.StartAsync();
        f.Origin.Handler = Respond(f, "max-age=60");
        foreach (var p in new[] { "/img/1", "/img/2", "/css/site" }) await f.GetAsync(p);
        Assert.Equal(3, f.Cache.Store.Entries);

        Assert.True(f.Cache.Purge(f.Url("/css/site")));
        Assert.Equal(2, f.Cache.PurgePrefix(f.Url("/img/")));
        Assert.Equal(0, f.Cache.Store.Entries);
        Assert.Equal("Vigil; fwd=miss; stored", CacheStatus((await f.GetAsync("/img/1")).Response));
        Assert.Equal(4, f.Origin.Total);
    }

    [Fact]
    public async Task OversizedResponseStreamsThroughUncached()
    {
        await using var f = await CacheFront.StartAsync(new CacheOptions { Name = "t", MemoryBytes = CacheOptions.MiB, MaxObjectBytes = 64 * 1024 });
        var chunk = new string('x', 16 * 1024);
        f.Origin.Handler = async ctx =>
        {
            ctx.Response.Headers.CacheControl = "max-age=60";
            for (var i = 0; i < 10; i++) await ctx.Response.WriteAsync(chunk); // chunked, no Content-Length
        };
        var (r1, b1) = await f.GetAsync("/big");
        Assert.Equal(160 * 1024, b1.Length);
        // Announced as stored at the start; the body outgrew the budget and was dropped.
        Assert.Equal(0, f.Cache.Store.Entries);
        var (r2, b2) = await f.GetAsync("/big");
        Assert.Equal(160 * 1024, b2.Length);
        // Hit-for-pass: straight to the origin; storing is still attempted, in case the answer changed.
        Assert.Equal("Vigil; fwd=miss; stored; detail=hit-for-pass", CacheStatus(r2));
        Assert.Equal(1, f.Cache.Counters.HitForPass);
        Assert.Equal(2, f.Origin.Total);

        // With Content-Length the decision is made before the first byte.
        f.Origin.Handler = async ctx =>
        {
            ctx.Response.Headers.CacheControl = "max-age=60";
            ctx.Response.ContentLength = 100 * 1024;
            await ctx.Response.WriteAsync(new string('y', 100 * 1024));
        };
        var (r3, b3) = await f.GetAsync("/big2");
        Assert.Equal(100 * 1024, b3.Length);
        Assert.Equal("Vigil; fwd=miss; detail=too-large", CacheStatus(r3));
    }

    [Fact]
    public async Task OnlyIfCachedAnswers504OnMiss()
    {
        await using var f = await CacheFront.StartAsync();
        f.Origin.Handler = Respond(f, "max-age=60");
        var (r, _) = await f.GetAsync("/o", ("Cache-Control", "only-if-cached"));
        Assert.Equal(HttpStatusCode.GatewayTimeout, r.StatusCode);
        Assert.Equal(0, f.Origin.Total);
        await f.GetAsync("/o");
        Assert.Equal(HttpStatusCode.OK, (await f.GetAsync("/o", ("Cache-Control", "only-if-cached"))).Response.StatusCode);
    }

    [Fact]
    public async Task RequestNoCacheRevalidates()
    {
        await using var f = await CacheFront.StartAsync();
        f.Origin.Handler = Respond(f, "max-age=60", etag: "\"e\"");
        await f.GetAsync("/n");
        var (r, _) = await f.GetAsync("/n", ("Cache-Control", "no-cache"));
        Assert.Equal("Vigil; fwd=request; fwd-status=304", CacheStatus(r));
        var (p, _) = await f.GetAsync("/n", ("Pragma", "no-cache"));
        Assert.Equal("Vigil; fwd=request; fwd-status=304", CacheStatus(p));
        Assert.Equal(3, f.Origin.Total);
    }

    [Fact]
    public async Task LargeBodyStreamsToClientWhileBeingStored()
    {
        await using var f = await CacheFront.StartAsync();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = new string('a', 32 * 1024);
        var rest = new string('b', 96 * 1024);
        f.Origin.Handler = async ctx =>
        {
            ctx.Response.Headers.Date = HttpDates.Format(f.Clock.GetUtcNow());
            ctx.Response.Headers.CacheControl = "max-age=60";
            await ctx.Response.WriteAsync(first);
            await ctx.Response.Body.FlushAsync();
            await release.Task.WaitAsync(TimeSpan.FromSeconds(20));
            await ctx.Response.WriteAsync(rest);
        };

        using var response = await f.Client.GetAsync("/stream", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("Vigil; fwd=miss; stored", CacheStatus(response));
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[first.Length];
        // The first part arrives while the origin is still holding the rest.
        await body.ReadExactlyAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.False(release.Task.IsCompleted);
        Assert.Equal(first, System.Text.Encoding.ASCII.GetString(buffer));
        Assert.Equal(0, f.Cache.Store.Entries);
        release.SetResult();
        using var reader = new StreamReader(body);
        Assert.Equal(rest, await reader.ReadToEndAsync());

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (f.Cache.Store.Entries == 0 && DateTime.UtcNow < deadline) await Task.Delay(10);
        var (hit, hitBody) = await f.GetAsync("/stream");
        Assert.Equal("Vigil; hit", CacheStatus(hit));
        Assert.Equal(first + rest, hitBody);
        Assert.Equal(1, f.Origin.Total);
    }

    [Fact]
    public async Task QualifiedNoCacheFieldsAreDroppedFromUnvalidatedHits()
    {
        await using var f = await CacheFront.StartAsync();
        f.Origin.Handler = Respond(f, "max-age=60, no-cache=\"X-Token\"", more: ctx => ctx.Response.Headers["X-Token"] = "secret");
        var (miss, _) = await f.GetAsync("/q");
        Assert.True(miss.Headers.Contains("X-Token"));
        var (hit, _) = await f.GetAsync("/q");
        Assert.Equal("Vigil; hit", CacheStatus(hit));
        Assert.False(hit.Headers.Contains("X-Token"));
    }

    [Fact]
    public async Task MetricsArePublishedOnTheVigilCachingMeter()
    {
        await using var f = await CacheFront.StartAsync(new CacheOptions { Name = "metered", MemoryBytes = CacheOptions.MiB });
        f.Origin.Handler = Respond(f, "max-age=60");
        await f.GetAsync("/m");
        await f.GetAsync("/m");
        await f.GetAsync("/m");

        var seen = new Dictionary<string, long>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Vigil.Caching") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "cache" && (string?)tag.Value == "metered") seen[instrument.Name] = value;
            }
        });
        listener.Start();
        listener.RecordObservableInstruments();

        Assert.Equal(2, seen["vigil_cache_hits_total"]);
        Assert.Equal(1, seen["vigil_cache_misses_total"]);
        Assert.Equal(1, seen["vigil_cache_entries"]);
        Assert.Equal(f.Cache.Store.Bytes, seen["vigil_cache_bytes"]);
        Assert.True(seen.ContainsKey("vigil_cache_evictions_total"));
        var snapshot = f.Cache.Snapshot();
        Assert.Equal(("metered", 2L, 1L, 1L), (snapshot.Name, snapshot.Hits, snapshot.Misses, snapshot.Entries));
    }

    [Fact]
    public async Task DiskStoreServesHitsAfterRestart()
    {
        var dir = Path.Combine(Path.GetTempPath(), "vigil-cache-" + Guid.NewGuid().ToString("N"));
        var options = new CacheOptions { Name = "disk", MemoryBytes = CacheOptions.MiB, DiskPath = dir, DiskBytes = 16 * CacheOptions.MiB };
        try
        {
            string body;
            await using (var f = await CacheFront.StartAsync(options))
            {
                f.Origin.Handler = Respond(f, "max-age=3600", _ => "persisted " + Guid.NewGuid());
                // The key holds scheme, host and target; a fixed Host makes it independent of the front's port.
                (_, body) = await f.GetAsync("/d", ("Host", "www.example.test"));
                await f.Cache.Disk!.FlushAsync();
                Assert.Equal(1, f.Cache.Disk.Entries);
            }

            // A new process-equivalent: new cache, new origin, same directory.
            await using (var f = await CacheFront.StartAsync(options))
            {
                f.Origin.Handler = Respond(f, "max-age=3600", _ => "origin should not be asked");
                Assert.Equal(1, f.Cache.Disk!.Entries);
                var (hit, hitBody) = await f.GetAsync("/d", ("Host", "www.example.test"));
                Assert.Equal(body, hitBody);
                Assert.Equal("Vigil; hit", CacheStatus(hit));
                Assert.Equal(0, f.Origin.Total);

                // Purge reaches the disk tier too.
                Assert.False(f.Cache.Purge(f.Url("/d")));
                Assert.True(f.Cache.Purge("http://www.example.test/d"));
                Assert.Equal(0, f.Cache.Disk.Entries);
            }
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task CollapsedRequestsOfAnUncacheableAnswerGoToOriginThenHitForPass()
    {
        await using var f = await CacheFront.StartAsync();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        f.Origin.Handler = async ctx =>
        {
            await release.Task.WaitAsync(TimeSpan.FromSeconds(20));
            await Respond(f, "no-store", _ => "personal")(ctx);
        };
        var requests = Enumerable.Range(0, 10).Select(_ => f.GetAsync("/u")).ToArray();
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (f.Cache.InFlightCount == 0 && DateTime.UtcNow < deadline) await Task.Delay(10);
        await Task.Delay(300);
        release.SetResult();
        var results = await Task.WhenAll(requests);
        Assert.All(results, r => Assert.Equal("personal", r.Body));
        // Nobody was handed the leader's uncacheable answer: each request got its own.
        Assert.Equal(10, f.Origin.Total);
        Assert.Equal(0, f.Cache.Counters.Collapsed);

        var (later, _) = await f.GetAsync("/u");
        Assert.Equal("Vigil; fwd=miss; detail=hit-for-pass", CacheStatus(later));
    }

    [Fact]
    public async Task CollapsedRequestGivesUpWaitingAfterCollapseTimeout()
    {
        await using var f = await CacheFront.StartAsync(new CacheOptions { Name = "t", MemoryBytes = CacheOptions.MiB, CollapseTimeout = TimeSpan.FromSeconds(3) });
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        f.Origin.Handler = async ctx =>
        {
            if (f.Origin.Total == 1) await release.Task.WaitAsync(TimeSpan.FromSeconds(20));
            await Respond(f, "max-age=60", _ => $"answer {f.Origin.Total}")(ctx);
        };
        var leader = f.GetAsync("/slow");
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (f.Origin.Total == 0 && DateTime.UtcNow < deadline) await Task.Delay(10);
        var waiter = f.GetAsync("/slow");
        await Task.Delay(300);
        Assert.False(waiter.IsCompleted);
        // The waiter arms its collapse timer on the fake clock once it reaches the wait; on a busy
        // machine that can take longer than the pause above, so advance until it gives up (bounded).
        for (var i = 0; i < 50 && !waiter.IsCompleted; i++)
        {
            f.Clock.Advance(TimeSpan.FromSeconds(3));
            await Task.WhenAny(waiter, Task.Delay(200));
        }
        var (r, body) = await waiter.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal(2, f.Origin.Total);
        Assert.False(leader.IsCompleted);
        release.SetResult();
        await leader;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // through YARP's IHttpForwarder: the refetch reuses the same HttpContext
    public async Task Rfc9111_4_3_4_NotModifiedThatSelectsNothingLeadsToAnUnconditionalFetch(bool yarp)
    {
        await using var f = await CacheFront.StartAsync(yarp: yarp);
        f.Origin.Handler = async ctx =>
        {
            ctx.Response.Headers.Date = HttpDates.Format(f.Clock.GetUtcNow());
            ctx.Response.Headers.CacheControl = "max-age=10";
            if (ctx.Request.Headers.IfNoneMatch.Count > 0)
            {
                // A broken origin: 304 with a different strong validator.
                ctx.Response.StatusCode = 304;
                ctx.Response.Headers.ETag = "\"other\"";
                return;
            }
            ctx.Response.Headers.ETag = $"\"v{f.Origin.Total}\"";
            await ctx.Response.WriteAsync($"body {f.Origin.Total}");
        };
        await f.GetAsync("/m304");
        f.Clock.Advance(TimeSpan.FromSeconds(20));
        var (r, body) = await f.GetAsync("/m304");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("body 3", body);
        Assert.Equal(3, f.Origin.Total);
        Assert.Equal(0, f.Cache.Counters.NotModified);
        Assert.Equal("\"v3\"", r.Headers.ETag!.ToString());
        Assert.Equal("Vigil; fwd=stale; fwd-status=200; stored", CacheStatus(r));
    }

    [Fact]
    public async Task Rfc9111_5_2_2_2_MustRevalidateIsNeverServedStaleEvenWithGrace()
    {
        await using var f = await CacheFront.StartAsync(new CacheOptions { Name = "t", MemoryBytes = CacheOptions.MiB, Grace = TimeSpan.FromHours(1) });
        f.Origin.Handler = Respond(f, "max-age=5, must-revalidate, stale-if-error=600");
        await f.GetAsync("/mr");
        await f.Origin.StopAsync();
        f.Clock.Advance(TimeSpan.FromSeconds(10));
        var (r, _) = await f.GetAsync("/mr");
        Assert.Equal(HttpStatusCode.BadGateway, r.StatusCode);
        Assert.Equal(0, f.Cache.Counters.StaleServed);
    }

    [Fact]
    public async Task Rfc9111_4_3_5_HeadResponseUpdatesOrInvalidatesStoredGet()
    {
        await using var f = await CacheFront.StartAsync();
        var etag = "\"h1\"";
        var maxAge = "max-age=5";
        f.Origin.Handler = async ctx =>
        {
            ctx.Response.Headers.Date = HttpDates.Format(f.Clock.GetUtcNow());
            ctx.Response.Headers.CacheControl = maxAge;
            ctx.Response.Headers.ETag = etag;
            // This origin ignores conditions on HEAD and answers 200.
            if (HttpMethods.IsHead(ctx.Request.Method)) { ctx.Response.ContentLength = 4; return; }
            await ctx.Response.WriteAsync("body");
        };
        await f.GetAsync("/hd");
        f.Clock.Advance(TimeSpan.FromSeconds(10));
        maxAge = "max-age=600";
        using (var head = await f.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/hd")))
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        // Same validator: the stored GET took the HEAD's new freshness.
        var (hit, body) = await f.GetAsync("/hd");
        Assert.Equal("Vigil; hit", CacheStatus(hit));
        Assert.Equal("body", body);
        Assert.Equal(2, f.Origin.Total);

        f.Clock.Advance(TimeSpan.FromSeconds(700));
        etag = "\"h2\"";
        using (await f.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/hd"))) { }
        // A different validator: the stored GET is no longer used.
        Assert.Equal(0, f.Cache.Store.Entries);
        Assert.Equal("Vigil; fwd=miss; stored", CacheStatus((await f.GetAsync("/hd")).Response));
    }
}
