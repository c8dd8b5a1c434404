using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Vigil.Balancing;
using Vigil.Balancing.Health;
using Vigil.Proxy.Http;
using Vigil.Proxy.Http.Routing;

namespace Vigil.Proxy.Tests.Http;

/// <summary>The proxy on a real Kestrel listener in front of real Kestrel origins, driven by a real HttpClient.</summary>
public class HttpProxyTests
{
    private static async Task<(HttpStatusCode Status, string Body)> GetAsync(HttpClient client, string path = "/")
    {
        using var response = await client.GetAsync(path);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task<Origin[]> StartOriginsAsync(int count) =>
        await Task.WhenAll(Enumerable.Range(1, count).Select(i => Origin.StartAsync($"o{i}")));

    private static async Task DisposeAllAsync(IEnumerable<Origin> origins)
    {
        foreach (var o in origins) await o.DisposeAsync();
    }

    [Fact]
    public async Task Round_robin_spreads_requests_evenly_across_three_origins()
    {
        var origins = await StartOriginsAsync(3);
        try
        {
            await using var proxy = await ProxyServer.StartAsync(TestPools.Create("web", origins));
            var counts = new Dictionary<string, int>();
            for (var i = 0; i < 30; i++)
            {
                var (status, body) = await GetAsync(proxy.Client);
                Assert.Equal(HttpStatusCode.OK, status);
                counts[body] = counts.GetValueOrDefault(body) + 1;
            }
            Assert.Equal(["o1", "o2", "o3"], counts.Keys.Order());
            Assert.All(counts.Values, c => Assert.Equal(10, c));
        }
        finally { await DisposeAllAsync(origins); }
    }

    [Fact]
    public async Task Weighted_pool_shares_requests_in_proportion_to_weight()
    {
        var origins = await StartOriginsAsync(3);
        try
        {
            var pool = TestPools.Create("web", origins.Select(o => o.Address), scheduler: SchedulerKind.WeightedRoundRobin, weights: [3, 2, 1]);
            await using var proxy = await ProxyServer.StartAsync(pool);
            var counts = new Dictionary<string, int>();
            for (var i = 0; i < 60; i++)
            {
                var (status, body) = await GetAsync(proxy.Client);
                Assert.Equal(HttpStatusCode.OK, status);
                counts[body] = counts.GetValueOrDefault(body) + 1;
            }
            // Smooth weighted round-robin is exact over whole cycles of 3+2+1 picks.
            Assert.Equal(30, counts["o1"]);
            Assert.Equal(20, counts["o2"]);
            Assert.Equal(10, counts["o3"]);
        }
        finally { await DisposeAllAsync(origins); }
    }

    [Fact]
    public async Task Source_hash_pool_keeps_a_client_on_one_backend()
    {
        var origins = await StartOriginsAsync(3);
        try
        {
            var pool = TestPools.Create("web", origins.Select(o => o.Address), scheduler: SchedulerKind.SourceHash);
            await using var proxy = await ProxyServer.StartAsync(pool);
            var seen = new HashSet<string>();
            for (var i = 0; i < 20; i++)
            {
                var (status, body) = await GetAsync(proxy.Client);
                Assert.Equal(HttpStatusCode.OK, status);
                seen.Add(body);
            }
            Assert.Single(seen);
        }
        finally { await DisposeAllAsync(origins); }
    }

    [Fact]
    public async Task Requests_are_counted_on_the_backend_that_served_them()
    {
        var origins = await StartOriginsAsync(2);
        try
        {
            var pool = TestPools.Create("web", origins);
            await using var proxy = await ProxyServer.StartAsync(pool);
            for (var i = 0; i < 10; i++) Assert.Equal(HttpStatusCode.OK, (await GetAsync(proxy.Client)).Status);
            Assert.Equal(10, pool.Backends.Sum(b => b.Counters.Requests));
            Assert.All(pool.Backends, b => Assert.Equal(0, b.Counters.Active));
            Assert.Equal(origins.Select(o => o.Hits), pool.Backends.Select(b => (int)b.Counters.Requests));
        }
        finally { await DisposeAllAsync(origins); }
    }

    [Fact]
    public async Task Killed_origin_under_load_fails_no_request_thanks_to_retry_and_ejection()
    {
        var origins = await StartOriginsAsync(3);
        try
        {
            var pool = TestPools.Create("web", origins.Select(o => o.Address),
                o => o with { Outlier = new OutlierOptions(ConsecutiveFailures: 2, EjectFor: TimeSpan.FromMinutes(5)) });
            var logger = new ListLogger();
            await using var proxy = await ProxyServer.StartAsync(pool, logger: logger);
            var victim = origins[1];
            var sent = 0;
            var failures = new List<string>();
            Task? kill = null;

            // Four concurrent clients, 300 requests in all; the victim stops after the 100th.
            async Task ClientLoop()
            {
                int n;
                while ((n = Interlocked.Increment(ref sent)) <= 300)
                {
                    if (n == 100) kill = victim.StopAsync();
                    var (status, body) = await GetAsync(proxy.Client);
                    if (status != HttpStatusCode.OK) lock (failures) failures.Add($"{(int)status} {body}");
                }
            }
            await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => ClientLoop()));
            Assert.NotNull(kill);
            await kill;

            Assert.Empty(failures);
            var victimBackend = pool.Find(victim.Address)!;
            Assert.True(victimBackend.Counters.Failures >= 1, "the stopped origin's failures should feed passive health");
            Assert.True(victimBackend.IsEjected(DateTimeOffset.UtcNow), "two consecutive failures should eject the stopped origin");
            Assert.DoesNotContain(victimBackend, pool.Eligible.ToArray());
            // Operators see the ejection as a warning naming the backend; requests themselves are not logged.
            var lines = logger.Lines;
            Assert.NotEmpty(lines);
            Assert.All(lines, l => Assert.Equal(LogLevel.Warning, l.Level));
            Assert.All(lines, l => Assert.Contains($"backend {victim.Address} of pool web ejected", l.Message));
        }
        finally { await DisposeAllAsync(origins); }
    }

    [Fact]
    public async Task Post_to_a_dead_backend_is_not_retried_but_get_is()
    {
        await using var alive = await Origin.StartAsync("alive");
        var pool = TestPools.Create("web", [TestPools.DeadAddress(), alive.Address]);
        await using var proxy = await ProxyServer.StartAsync(pool);

        var postStatuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var response = await proxy.Client.PostAsync("/orders", new StringContent($"order {i}", Encoding.UTF8));
            postStatuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.BadGateway)
                Assert.StartsWith("502", await response.Content.ReadAsStringAsync());
        }
        // Round-robin alternates: half the POSTs met the dead backend and got 502 instead of a second try.
        Assert.Equal(2, postStatuses.Count(s => s == HttpStatusCode.BadGateway));
        Assert.Equal(2, postStatuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(2, alive.Posts);

        for (var i = 0; i < 4; i++)
        {
            var (status, body) = await GetAsync(proxy.Client);
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal("alive", body);
        }
    }

    [Fact]
    public async Task All_backends_down_answers_503_at_once()
    {
        await using var origin = await Origin.StartAsync("o1");
        var pool = TestPools.Create("web", [origin.Address, TestPools.DeadAddress()]);
        await using var proxy = await ProxyServer.StartAsync(pool);
        foreach (var backend in pool.Backends) backend.Health.Record(false, "test: down", DateTimeOffset.UtcNow);
        pool.Refresh();

        for (var i = 0; i < 20; i++)
        {
            using var response = await proxy.Client.GetAsync("/");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.StartsWith("503", await response.Content.ReadAsStringAsync());
            Assert.Equal("1", response.Headers.GetValues("Retry-After").Single());
        }
        Assert.Equal(0, origin.Hits);
        Assert.All(pool.Backends, b => Assert.Equal(0, b.Counters.Requests));
    }

    [Fact]
    public async Task All_backends_refusing_answers_502_after_one_retry()
    {
        var pool = TestPools.Create("web", [TestPools.DeadAddress(), TestPools.DeadAddress()]);
        await using var proxy = await ProxyServer.StartAsync(pool);
        var (status, body) = await GetAsync(proxy.Client);
        Assert.Equal(HttpStatusCode.BadGateway, status);
        Assert.StartsWith("502", body);
        // One attempt on each backend: the first, then the retry on the other.
        Assert.All(pool.Backends, b => Assert.Equal(1, b.Counters.Failures));
        Assert.All(pool.Backends, b => Assert.Equal(1, b.Counters.ConnectFailures));
    }

    [Fact]
    public async Task Connect_timeout_is_a_connect_failure_and_is_retried_on_another_backend()
    {
        await using var alive = await Origin.StartAsync("alive");
        using var stuck = new StuckListener();
        var pool = TestPools.Create("web", [stuck.Address, alive.Address], o => o with { ConnectTimeout = TimeSpan.FromMilliseconds(300) });
        await using var proxy = await ProxyServer.StartAsync(pool);

        for (var i = 0; i < 4; i++) Assert.Equal((HttpStatusCode.OK, "alive"), await GetAsync(proxy.Client));
        Assert.True(pool.Find(stuck.Address)!.Counters.Failures >= 1, "round-robin should have tried the stuck backend");
    }

    [Fact]
    public async Task Slow_origin_answers_504_after_the_pool_response_timeout()
    {
        await using var slow = await Origin.StartAsync("slow");
        var pool = TestPools.Create("web", [slow.Address], o => o with { ResponseTimeout = TimeSpan.FromMilliseconds(300) });
        await using var proxy = await ProxyServer.StartAsync(pool);

        var (status, body) = await GetAsync(proxy.Client, "/slow");
        Assert.Equal(HttpStatusCode.GatewayTimeout, status);
        Assert.StartsWith("504", body);
        Assert.Equal(1, pool.Backends[0].Counters.Failures);
        Assert.Equal(0, pool.Backends[0].Counters.ConnectFailures);
        Assert.Equal(0, pool.Backends[0].Counters.Active);

        // The same origin still answers fast requests.
        Assert.Equal((HttpStatusCode.OK, "slow"), await GetAsync(proxy.Client));
    }

    [Fact]
    public async Task A_client_that_hangs_up_is_not_held_against_the_backend()
    {
        await using var origin = await Origin.StartAsync("o1");
        var pool = TestPools.Create("web", [origin.Address],
            o => o with { Outlier = new OutlierOptions(ConsecutiveFailures: 1, EjectFor: TimeSpan.FromMinutes(5)) });
        await using var proxy = await ProxyServer.StartAsync(pool);
        var backend = pool.Backends[0];

        using (var cts = new CancellationTokenSource())
        {
            var request = proxy.Client.GetAsync("/slow", cts.Token);
            await WaitUntilAsync(() => backend.Counters.Active == 1);
            cts.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => request);
        }
        await WaitUntilAsync(() => backend.Counters.Active == 0);

        Assert.Equal(0, backend.Counters.Failures);
        Assert.False(backend.IsEjected(DateTimeOffset.UtcNow));
        Assert.Equal((HttpStatusCode.OK, "o1"), await GetAsync(proxy.Client));
    }

    [Fact]
    public async Task A_request_that_cannot_be_forwarded_is_refused_without_blaming_the_backend()
    {
        await using var origin = await Origin.StartAsync("o1");
        var pool = TestPools.Create("web", [origin.Address],
            o => o with { Outlier = new OutlierOptions(ConsecutiveFailures: 1, EjectFor: TimeSpan.FromMinutes(5)) });
        await using var proxy = await ProxyServer.StartAsync(pool);

        // A CONNECT tunnel request: a reverse proxy does not open tunnels.
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(proxy.Client.BaseAddress!.Host, proxy.Client.BaseAddress.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"));
        var buffer = new byte[512];
        var read = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        var statusLine = Encoding.ASCII.GetString(buffer, 0, read).Split("\r\n")[0];

        Assert.Equal("HTTP/1.1 501 Not Implemented", statusLine);
        Assert.Equal(0, pool.Backends[0].Counters.Failures);
        Assert.False(pool.Backends[0].IsEjected(DateTimeOffset.UtcNow));
        Assert.Equal((HttpStatusCode.OK, "o1"), await GetAsync(proxy.Client));
    }

    [Fact]
    public async Task WebSocket_upgrades_are_proxied_and_hold_their_backend_lease_while_open()
    {
        await using var origin = await Origin.StartAsync("o1");
        var pool = TestPools.Create("web", origin);
        await using var proxy = await ProxyServer.StartAsync(pool);
        var backend = pool.Backends[0];

        using var socket = new System.Net.WebSockets.ClientWebSocket();
        var uri = new UriBuilder(proxy.Client.BaseAddress!) { Scheme = "ws", Path = "/ws" }.Uri;
        await socket.ConnectAsync(uri, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        var buffer = new byte[256];
        for (var i = 0; i < 3; i++)
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes($"m{i}"), System.Net.WebSockets.WebSocketMessageType.Text, true, CancellationToken.None);
            var received = await socket.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal($"o1:m{i}", Encoding.UTF8.GetString(buffer, 0, received.Count));
        }
        Assert.Equal(1, backend.Counters.Active);

        await socket.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, null, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        await WaitUntilAsync(() => backend.Counters.Active == 0);
        Assert.Equal(0, backend.Counters.Failures);
    }

    /// <summary>Polls a condition a bounded number of times (up to about 10 s), failing if it never holds.</summary>
    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++) await Task.Delay(20);
        Assert.True(condition());
    }

    [Fact]
    public async Task Forwarded_headers_replace_what_an_untrusted_client_claims()
    {
        await using var origin = await Origin.StartAsync("o1");
        await using var proxy = await ProxyServer.StartAsync(TestPools.Create("web", origin));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/headers");
        request.Headers.Add("X-Forwarded-For", "6.6.6.6");
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-Host", "evil.example");
        request.Headers.Host = "shop.example:8080";
        using var response = await proxy.Client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal("xff=127.0.0.1;proto=http;xfh=shop.example:8080;host=shop.example:8080", body);
    }

    [Fact]
    public async Task Forwarded_headers_from_a_trusted_proxy_are_kept_and_appended_to()
    {
        await using var origin = await Origin.StartAsync("o1");
        await using var proxy = await ProxyServer.StartAsync(TestPools.Create("web", origin),
            new HttpProxyOptions { ListenerName = "test", TrustedProxies = [IPNetwork.Parse("127.0.0.0/8")] });
        using var request = new HttpRequestMessage(HttpMethod.Get, "/headers");
        request.Headers.Add("X-Forwarded-For", "203.0.113.7");
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-Host", "shop.example");
        request.Headers.Host = "internal:8080";
        using var response = await proxy.Client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal("xff=203.0.113.7, 127.0.0.1;proto=https;xfh=shop.example;host=internal:8080", body);
    }

    [Fact]
    public async Task Drain_lets_the_in_flight_request_finish_while_new_requests_go_elsewhere()
    {
        var origins = await StartOriginsAsync(2);
        try
        {
            var pool = TestPools.Create("web", origins);
            await using var proxy = await ProxyServer.StartAsync(pool);

            var inFlight = GetAsync(proxy.Client, "/gate");
            var entered = await Task.WhenAny(origins.Select(o => o.GateEntered)).WaitAsync(TimeSpan.FromSeconds(10));
            var busy = origins.Single(o => o.GateEntered == entered);
            var other = origins.Single(o => o != busy);
            var busyBackend = pool.Find(busy.Address)!;
            Assert.Equal(1, busyBackend.Counters.Active);

            Assert.True(pool.SetAdminState(busy.Address, AdminState.Draining));
            for (var i = 0; i < 10; i++) Assert.Equal((HttpStatusCode.OK, other.Id), await GetAsync(proxy.Client));
            Assert.False(inFlight.IsCompleted);
            Assert.Equal(1, busyBackend.Counters.Active);

            busy.ReleaseGate();
            Assert.Equal((HttpStatusCode.OK, busy.Id), await inFlight.WaitAsync(TimeSpan.FromSeconds(10)));
            Assert.Equal(0, busyBackend.Counters.Active);
            Assert.Equal("draining", busyBackend.StateName(DateTimeOffset.UtcNow));
        }
        finally { await DisposeAllAsync(origins); }
    }

    [Fact]
    public async Task Routes_send_requests_to_their_own_pool_and_unmatched_requests_get_404()
    {
        var origins = await StartOriginsAsync(2);
        try
        {
            var routes = new RouteTable([
                new RouteOptions { Name = "api", Pool = "api", Match = new RouteMatch { PathPrefix = "/api/" } },
                new RouteOptions { Name = "www", Pool = "www", Match = new RouteMatch { Hosts = ["*.example.com"] } },
            ]);
            await using var proxy = await ProxyServer.StartAsync(routes,
                [TestPools.Create("api", origins[0]), TestPools.Create("www", origins[1])]);

            Assert.Equal((HttpStatusCode.OK, "o1"), await GetAsync(proxy.Client, "/api/x"));
            using var www = new HttpRequestMessage(HttpMethod.Get, "/index.html") { Headers = { Host = "www.example.com" } };
            using var wwwResponse = await proxy.Client.SendAsync(www);
            Assert.Equal("o2", await wwwResponse.Content.ReadAsStringAsync());

            var (status, body) = await GetAsync(proxy.Client, "/index.html");
            Assert.Equal(HttpStatusCode.NotFound, status);
            Assert.StartsWith("404", body);
        }
        finally { await DisposeAllAsync(origins); }
    }

    [Fact]
    public async Task Cache_step_runs_in_front_of_the_pool_when_set()
    {
        await using var origin = await Origin.StartAsync("o1");
        var routes = new RouteTable([
            new RouteOptions { Name = "cached", Pool = "web", Cache = "main", Match = new RouteMatch { PathPrefix = "/c/" } },
            new RouteOptions { Name = "plain", Pool = "web" },
        ]);
        var calls = 0;
        routes.Routes[0].CacheStep = async (context, origin) =>
        {
            Interlocked.Increment(ref calls);
            if (context.Request.Path == "/c/hit")
            {
                context.Response.Headers["X-Cache"] = "HIT";
                await context.Response.WriteAsync("from cache");
                return;
            }
            context.Response.Headers["X-Cache"] = "MISS";
            await origin(context);
        };
        await using var proxy = await ProxyServer.StartAsync(routes, [TestPools.Create("web", origin)]);

        using (var miss = await proxy.Client.GetAsync("/c/miss"))
        {
            Assert.Equal("o1", await miss.Content.ReadAsStringAsync());
            Assert.Equal("MISS", miss.Headers.GetValues("X-Cache").Single());
        }
        using (var hit = await proxy.Client.GetAsync("/c/hit"))
            Assert.Equal("from cache", await hit.Content.ReadAsStringAsync());
        using (var plain = await proxy.Client.GetAsync("/other"))
        {
            Assert.Equal("o1", await plain.Content.ReadAsStringAsync());
            Assert.False(plain.Headers.Contains("X-Cache"));
        }
        Assert.Equal(2, calls);
        Assert.Equal(2, origin.Hits); // the hit never reached the origin
    }

    [Fact]
    public async Task A_throwing_cache_step_becomes_502_and_the_listener_keeps_serving()
    {
        await using var origin = await Origin.StartAsync("o1");
        var routes = new RouteTable([
            new RouteOptions { Name = "broken", Pool = "web", Match = new RouteMatch { PathPrefix = "/broken" } },
            new RouteOptions { Name = "plain", Pool = "web" },
        ]);
        routes.Routes[0].CacheStep = (_, _) => throw new InvalidOperationException("cache bug");
        await using var proxy = await ProxyServer.StartAsync(routes, [TestPools.Create("web", origin)]);

        var (status, body) = await GetAsync(proxy.Client, "/broken");
        Assert.Equal(HttpStatusCode.BadGateway, status);
        Assert.DoesNotContain("cache bug", body);
        Assert.Equal((HttpStatusCode.OK, "o1"), await GetAsync(proxy.Client, "/fine"));
    }
}
