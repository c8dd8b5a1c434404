using System.Net;
using Microsoft.AspNetCore.Http;
using Vigil.Caching.Rules;

namespace Vigil.Caching.Tests.Integration;

/// <summary>
/// The cache step with YARP's IHttpForwarder as the origin delegate, as the proxy wires it: checks that the
/// capture, 304 suppression, error substitution and detached refreshes hold with the real forwarder.
/// </summary>
public class YarpForwarderTests
{
    private static string CacheStatus(HttpResponseMessage r) =>
        r.Headers.TryGetValues("Cache-Status", out var v) ? string.Join(", ", v) : "";

    [Fact]
    public async Task HitAnd304RevalidationThroughYarp()
    {
        await using var f = await CacheFront.StartAsync(yarp: true);
        f.Origin.Handler = async ctx =>
        {
            ctx.Response.Headers.Date = HttpDates.Format(f.Clock.GetUtcNow());
            ctx.Response.Headers.CacheControl = "max-age=10";
            ctx.Response.Headers.ETag = "\"y1\"";
            if (ctx.Request.Headers.IfNoneMatch == "\"y1\"")
            {
                ctx.Response.StatusCode = 304;
                return;
            }
            await ctx.Response.WriteAsync("yarp body");
        };
        var (miss, b1) = await f.GetAsync("/y");
        Assert.Equal("Vigil; fwd=miss; stored", CacheStatus(miss));
        var (hit, b2) = await f.GetAsync("/y");
        Assert.Equal("Vigil; hit", CacheStatus(hit));
        Assert.Equal(b1, b2);

        f.Clock.Advance(TimeSpan.FromSeconds(20));
        var (revalidated, b3) = await f.GetAsync("/y");
        Assert.Equal(HttpStatusCode.OK, revalidated.StatusCode);
        Assert.Equal("Vigil; fwd=stale; fwd-status=304", CacheStatus(revalidated));
        Assert.Equal("yarp body", b3);
        Assert.Equal(2, f.Origin.Total);
    }

    [Fact]
    public async Task StaleIfErrorWhenYarpCannotReachTheOrigin()
    {
        await using var f = await CacheFront.StartAsync(new CacheOptions { Name = "t", MemoryBytes = CacheOptions.MiB, Grace = TimeSpan.FromMinutes(1) }, yarp: true);
        f.Origin.Handler = async ctx =>
        {
            ctx.Response.Headers.Date = HttpDates.Format(f.Clock.GetUtcNow());
            ctx.Response.Headers.CacheControl = "max-age=1";
            await ctx.Response.WriteAsync("still here");
        };
        await f.GetAsync("/down");
        await f.Origin.StopAsync();
        f.Clock.Advance(TimeSpan.FromSeconds(30));
        var (r, body) = await f.GetAsync("/down");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("still here", body);
        Assert.StartsWith("Vigil; hit; fwd=stale; fwd-status=502", CacheStatus(r));
    }

    [Fact]
    public async Task BackgroundRefreshRunsThroughYarpOnADetachedContext()
    {
        await using var f = await CacheFront.StartAsync(yarp: true);
        f.Origin.Handler = async ctx =>
        {
            ctx.Response.Headers.Date = HttpDates.Format(f.Clock.GetUtcNow());
            ctx.Response.Headers.CacheControl = "max-age=5, stale-while-revalidate=60";
            await ctx.Response.WriteAsync($"v{f.Origin.Total}");
        };
        await f.GetAsync("/bg");
        f.Clock.Advance(TimeSpan.FromSeconds(10));
        var (stale, b) = await f.GetAsync("/bg");
        Assert.Equal("v1", b);
        Assert.Equal("Vigil; hit; detail=stale-while-revalidate", CacheStatus(stale));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((f.Origin.Total < 2 || f.Cache.InFlightCount > 0) && DateTime.UtcNow < deadline) await Task.Delay(10);
        var (fresh, b2) = await f.GetAsync("/bg");
        Assert.Equal("v2", b2);
        Assert.Equal("Vigil; hit", CacheStatus(fresh));
    }

    [Fact]
    public async Task HundredConcurrentMissesThroughYarpMakeOneOriginRequest()
    {
        await using var f = await CacheFront.StartAsync(yarp: true);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        f.Origin.Handler = async ctx =>
        {
            await release.Task.WaitAsync(TimeSpan.FromSeconds(20));
            ctx.Response.Headers.CacheControl = "max-age=60";
            await ctx.Response.WriteAsync("one");
        };
        var requests = Enumerable.Range(0, 100).Select(_ => f.GetAsync("/many")).ToArray();
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (f.Cache.InFlightCount == 0 && DateTime.UtcNow < deadline) await Task.Delay(10);
        await Task.Delay(500);
        release.SetResult();
        var results = await Task.WhenAll(requests);
        Assert.All(results, r => Assert.Equal("one", r.Body));
        Assert.Equal(1, f.Origin.Total);
    }
}
