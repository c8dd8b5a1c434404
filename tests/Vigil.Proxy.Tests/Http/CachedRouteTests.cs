using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Vigil.Balancing;
using Vigil.Caching;
using Vigil.Proxy.Http.Routing;
using Vigil.Proxy.Http.Upstream;

using Vigil.Proxy.Tests.Http.Hostile;

namespace Vigil.Proxy.Tests.Http;

/// <summary>
/// A cached route through the real <see cref="Vigil.Proxy.Http.HttpProxy"/> and both upstreams, in front of a
/// scripted raw-socket origin that misbehaves: the cache must store only what the forwarder reports complete.
/// </summary>
public class CachedRouteTests
{
    private const string Complete = "HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\nContent-Length: 11\r\n\r\nhello world";

    public static TheoryData<UpstreamKind, string> TruncatedCases()
    {
        var data = new TheoryData<UpstreamKind, string>();
        foreach (var kind in new[] { UpstreamKind.Http1, UpstreamKind.Yarp })
            foreach (var name in new[] { "chunked-close", "chunked-close-at-once", "chunked-headers-only", "length-short", "chunked-stall" })
                data.Add(kind, name);
        return data;
    }

    /// <summary>What the origin sends for a truncated response, in pieces with pauses between, before it closes.</summary>
    private static (string Bytes, TimeSpan PauseAfter)[] Truncated(string name) => name switch
    {
        // The origin closes after the first chunk: no last chunk (RFC 9112 §7.1).
        "chunked-close" => [("HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", TimeSpan.FromMilliseconds(200))],
        "chunked-close-at-once" => [("HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", TimeSpan.Zero)],
        "chunked-headers-only" => [("HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\nTransfer-Encoding: chunked\r\n\r\n", TimeSpan.FromMilliseconds(200))],
        // Content-Length 10, five bytes, close (RFC 9112 §8: an incomplete message).
        "length-short" => [("HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\nContent-Length: 10\r\n\r\nhello", TimeSpan.FromMilliseconds(200))],
        // First chunk, then silence past the pool's response timeout.
        "chunked-stall" => [("HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", TimeSpan.FromSeconds(4))],
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    private static async Task<CachedProxy> StartAsync(UpstreamKind kind, ScriptedOrigin origin, CacheOptions? options = null, TimeProvider? clock = null)
    {
        var pool = TestPools.Create("web", [origin.Address], o => o with { ResponseTimeout = TimeSpan.FromSeconds(1) });
        var log = new ListLogger<HttpCache>(LogLevel.Trace);
        var cache = new HttpCache(options ?? new CacheOptions { Name = "main", MemoryBytes = 16 * CacheOptions.MiB }, clock, log);
        var routes = new RouteTable([new RouteOptions { Name = "all", Pool = "web", Cache = "main" }]);
        routes.Routes[0].CacheStep = cache.HandleAsync;
        var proxy = await ProxyServer.StartAsync(routes, [pool], logger: log, upstream: UpstreamFactory.Create(kind));
        return new CachedProxy(proxy, cache, log);
    }

    private static string CacheStatus(HttpResponseMessage r) =>
        r.Headers.TryGetValues("Cache-Status", out var v) ? string.Join(", ", v) : "";

    /// <summary>Sends a GET; a response the proxy cut off shows up as an exception, reported as null.</summary>
    private static async Task<(HttpResponseMessage Response, string Body)?> TryGetAsync(HttpClient client, string path, string? range = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (range is not null) request.Headers.TryAddWithoutValidation("Range", range);
        try
        {
            var response = await client.SendAsync(request);
            return (response, await response.Content.ReadAsStringAsync());
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException)
        {
            return null;
        }
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++) await Task.Delay(20);
    }

    [Theory]
    [MemberData(nameof(TruncatedCases))]
    public async Task A_truncated_response_is_never_stored(UpstreamKind kind, string name)
    {
        using var origin = ScriptedOrigin.Pieces((n, _) => n == 0 ? Truncated(name) : [(Complete, TimeSpan.Zero)]);
        await using var p = await StartAsync(kind, origin);

        var first = await TryGetAsync(p.Proxy.Client, "/t");
        // Whatever the first client saw (a cut connection or a 502/504), it was not a complete 200 of 11 bytes.
        Assert.False(first is { } f && f.Response.StatusCode == HttpStatusCode.OK && f.Body == "hello world");
        Assert.Equal(0, p.Cache.Counters.Stored);
        Assert.Equal(0, p.Cache.Store.Entries);

        var second = await TryGetAsync(p.Proxy.Client, "/t");
        Assert.NotNull(second);
        Assert.Equal("hello world", second.Value.Body);
        Assert.DoesNotContain("hit", CacheStatus(second.Value.Response));
        Assert.Equal(2, origin.Requests.Count);

        // The complete answer is stored and served.
        var third = await TryGetAsync(p.Proxy.Client, "/t");
        Assert.Equal("hello world", third!.Value.Body);
        Assert.Equal("Vigil; hit", CacheStatus(third.Value.Response));
        Assert.Equal(2, origin.Requests.Count);

        // Operators see one line with the reason, counted; never a stack trace or an error. (A response cut
        // before its first body byte may not have started: then the proxy answers 502 itself and the cache
        // has nothing to drop.)
        var incomplete = p.Log.Lines.Where(l => l.EventId == 4101).ToList();
        if (name == "chunked-headers-only") Assert.InRange(p.Cache.Counters.Incomplete, 0, 1);
        else Assert.Equal(1, p.Cache.Counters.Incomplete);
        Assert.Equal(p.Cache.Counters.Incomplete, incomplete.Count);
        Assert.All(incomplete, l => Assert.Contains("/t not stored: the origin's response was", l.Message));
        Assert.DoesNotContain(p.Log.Lines, l => l.Exception is not null || l.Level >= LogLevel.Error);
    }

    [Theory]
    [InlineData(UpstreamKind.Http1)]
    [InlineData(UpstreamKind.Yarp)]
    public async Task A_background_fetch_behind_a_range_miss_stores_nothing_truncated(UpstreamKind kind)
    {
        using var origin = ScriptedOrigin.Pieces((_, head) => head.Contains("Range:", StringComparison.OrdinalIgnoreCase)
            ? [("HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-1/11\r\nContent-Length: 2\r\n\r\nhe", TimeSpan.Zero)]
            : Truncated("chunked-headers-only"));
        await using var p = await StartAsync(kind, origin);

        var ranged = await TryGetAsync(p.Proxy.Client, "/r", "bytes=0-1");
        Assert.Equal(HttpStatusCode.PartialContent, ranged!.Value.Response.StatusCode);
        await WaitForAsync(() => origin.Requests.Count >= 2 && p.Cache.InFlightCount == 0);
        Assert.Equal(2, origin.Requests.Count);
        Assert.Equal(0, p.Cache.InFlightCount);
        Assert.Equal(0, p.Cache.Counters.Stored);
        Assert.Equal(0, p.Cache.Store.Entries);
    }

    [Theory]
    [InlineData(UpstreamKind.Http1)]
    [InlineData(UpstreamKind.Yarp)]
    public async Task A_truncated_stale_while_revalidate_refresh_keeps_the_stored_response(UpstreamKind kind)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var origin = ScriptedOrigin.Pieces((n, _) => n == 0
            ? [("HTTP/1.1 200 OK\r\nCache-Control: max-age=5, stale-while-revalidate=600\r\nContent-Length: 2\r\n\r\nv1", TimeSpan.Zero)]
            : [("HTTP/1.1 200 OK\r\nCache-Control: max-age=5, stale-while-revalidate=600\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nv2\r\n", TimeSpan.FromMilliseconds(100))]);
        await using var p = await StartAsync(kind, origin, clock: clock);

        Assert.Equal("v1", (await TryGetAsync(p.Proxy.Client, "/swr"))!.Value.Body);
        clock.Advance(TimeSpan.FromSeconds(10));
        var stale = await TryGetAsync(p.Proxy.Client, "/swr");
        Assert.Equal("Vigil; hit; detail=stale-while-revalidate", CacheStatus(stale!.Value.Response));
        await WaitForAsync(() => origin.Requests.Count >= 2 && p.Cache.InFlightCount == 0);
        Assert.Equal(0, p.Cache.InFlightCount);

        // The refresh broke off: the stored response is still v1 (stale), not the truncated v2.
        var after = await TryGetAsync(p.Proxy.Client, "/swr");
        Assert.Equal("v1", after!.Value.Body);
        Assert.Equal(1, p.Cache.Counters.Stored);
    }

    private sealed class CachedProxy(ProxyServer proxy, HttpCache cache, ListLogger log) : IAsyncDisposable
    {
        public ProxyServer Proxy { get; } = proxy;
        public HttpCache Cache { get; } = cache;
        public ListLogger Log { get; } = log;

        public async ValueTask DisposeAsync()
        {
            await Proxy.DisposeAsync();
            await Cache.DisposeAsync();
        }
    }
}
