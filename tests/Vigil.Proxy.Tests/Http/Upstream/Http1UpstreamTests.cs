using System.Net;
using System.Security.Cryptography;
using System.Text;
using Vigil.Balancing;
using Vigil.Proxy.Http.Upstream;

namespace Vigil.Proxy.Tests.Http.Upstream;

/// <summary>
/// <see cref="Http1Upstream"/> through a real <see cref="Vigil.Proxy.Http.HttpProxy"/> on Kestrel, a real
/// HttpClient in front and real origins (Kestrel, or a raw socket for what Kestrel would never send) behind.
/// </summary>
public class Http1UpstreamTests
{
    private static Http1Upstream Create() => new(YarpUpstream.Create());

    private static async Task<ProxyServer> StartAsync(Pool pool) => await ProxyServer.StartAsync(pool, upstream: Create());

    private static Pool PoolOf(params string[] addresses) => TestPools.Create("web", addresses);

    private static void AssertPattern(byte[] body, long size)
    {
        Assert.Equal(size, body.LongLength);
        for (long i = 0; i < size; i++)
            if (body[i] != BodyOrigin.Pattern(i)) Assert.Fail($"byte {i} is {body[i]}, expected {BodyOrigin.Pattern(i)}");
    }

    [Theory]
    [InlineData("/bytes/1024", 1024)]
    [InlineData("/bytes/0", 0)]
    [InlineData("/chunked/5000", 5000)]
    [InlineData("/bytes/4194304", 4194304)]
    [InlineData("/bytes/1000000", 1000000)]
    [InlineData("/chunked/3145728", 3145728)]
    public async Task Bodies_arrive_byte_exact(string path, long size)
    {
        await using var origin = await BodyOrigin.StartAsync();
        await using var proxy = await StartAsync(PoolOf(origin.Address));
        using var response = await proxy.Client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertPattern(await response.Content.ReadAsByteArrayAsync(), size);
        if (path.StartsWith("/bytes/")) Assert.Equal(size, response.Content.Headers.ContentLength);
    }

    [Fact]
    public async Task Keep_alive_connections_are_reused()
    {
        await using var origin = await BodyOrigin.StartAsync();
        var pool = PoolOf(origin.Address);
        await using var proxy = await StartAsync(pool);
        for (var i = 0; i < 20; i++)
        {
            using var response = await proxy.Client.GetAsync("/bytes/100");
            AssertPattern(await response.Content.ReadAsByteArrayAsync(), 100);
        }
        Assert.Equal(20, origin.Requests);
        Assert.Equal(1, origin.Connections); // sequential requests: one connection carries them all
        Assert.Equal(1, ((Http1Upstream)proxy.Upstream).ConnectionsOpened(pool.Backends[0]));
    }

    [Fact]
    public async Task Concurrent_requests_use_several_connections_then_keep_them()
    {
        await using var origin = await BodyOrigin.StartAsync();
        var pool = PoolOf(origin.Address);
        await using var proxy = await StartAsync(pool);
        for (var round = 0; round < 5; round++)
        {
            var bodies = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => proxy.Client.GetByteArrayAsync("/chunked/20000")));
            foreach (var body in bodies) AssertPattern(body, 20000);
        }
        Assert.Equal(40, origin.Requests);
        Assert.InRange(origin.Connections, 1, 39);
    }

    [Fact]
    public async Task Bytes_to_and_from_each_backend_are_counted_and_exported()
    {
        await using var origin = await BodyOrigin.StartAsync();
        var pool = TestPools.Create("bytes-counted", [origin.Address]);
        var counters = pool.Backends[0].Counters;
        await using var proxy = await StartAsync(pool);
        var upload = RandomNumberGenerator.GetBytes(100_000);
        using (var posted = await proxy.Client.PostAsync("/sum", new ByteArrayContent(upload)))
            Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        using (var fetched = await proxy.Client.GetAsync("/bytes/50000"))
            AssertPattern(await fetched.Content.ReadAsByteArrayAsync(), 50_000);

        // Bodies plus the two request heads and the two response heads (a few hundred bytes each).
        Assert.InRange(counters.BytesOut, 100_000 + 100, 100_000 + 2_000);
        Assert.InRange(counters.BytesIn, 50_000 + 100, 50_000 + 2_000);

        BalancingMetrics.Track(pool);
        try
        {
            var seen = new Dictionary<string, long>();
            using var listener = new System.Diagnostics.Metrics.MeterListener();
            listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Name == "vigil_backend_bytes_total") l.EnableMeasurementEvents(instrument);
            };
            listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                var tagged = tags.ToArray();
                if (tagged.Any(t => t.Key == "pool" && (string?)t.Value == "bytes-counted"))
                    seen[(string)tagged.Single(t => t.Key == "direction").Value!] = value;
            });
            listener.Start();
            listener.RecordObservableInstruments();
            Assert.Equal(counters.BytesIn, seen["in"]);
            Assert.Equal(counters.BytesOut, seen["out"]);
        }
        finally
        {
            BalancingMetrics.Untrack(pool);
        }
    }

    [Theory]
    [InlineData(10)]
    [InlineData(3_000_000)]
    public async Task Content_length_request_bodies_are_forwarded(int size)
    {
        await using var origin = await BodyOrigin.StartAsync();
        await using var proxy = await StartAsync(PoolOf(origin.Address));
        var body = RandomNumberGenerator.GetBytes(size);
        using var response = await proxy.Client.PostAsync("/sum", new ByteArrayContent(body));
        Assert.Equal($"{size}:{Convert.ToHexString(SHA256.HashData(body))}:te=:cl={size}", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData(10)]
    [InlineData(2_000_000)]
    public async Task Chunked_request_bodies_are_forwarded_chunked(int size)
    {
        await using var origin = await BodyOrigin.StartAsync();
        await using var proxy = await StartAsync(PoolOf(origin.Address));
        var body = RandomNumberGenerator.GetBytes(size);
        var content = new StreamContent(new MemoryStream(body)); // no length: HttpClient sends chunked
        using var request = new HttpRequestMessage(HttpMethod.Post, "/sum") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        using var response = await proxy.Client.SendAsync(request);
        Assert.Equal($"{size}:{Convert.ToHexString(SHA256.HashData(body))}:te=chunked:cl=", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Head_204_and_304_have_no_body_and_the_connection_stays_usable_after_204_and_304()
    {
        await using var origin = await BodyOrigin.StartAsync();
        await using var proxy = await StartAsync(PoolOf(origin.Address));

        using (var head = await proxy.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/bytes/5000")))
        {
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.Equal(5000, head.Content.Headers.ContentLength);
            Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        }
        using (var empty = await proxy.Client.GetAsync("/empty"))
        {
            Assert.Equal(HttpStatusCode.NoContent, empty.StatusCode);
            Assert.Equal("yes", empty.Headers.GetValues("X-Empty").Single());
        }
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/etag"))
        {
            request.Headers.TryAddWithoutValidation("If-None-Match", "\"v1\"");
            using var notModified = await proxy.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
            Assert.Equal("\"v1\"", notModified.Headers.ETag?.Tag);
        }
        Assert.Equal("fresh body", await proxy.Client.GetStringAsync("/etag"));
        // The HEAD's connection is closed (its answer describes a body the backend might still send,
        // see PoolPoisoningTests); the 204, the 304 and the GET share the second one.
        Assert.Equal(2, origin.Connections);
    }

    [Fact]
    public async Task Hop_by_hop_request_headers_are_not_forwarded()
    {
        await using var origin = await BodyOrigin.StartAsync();
        await using var proxy = await StartAsync(PoolOf(origin.Address));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/headers");
        request.Headers.Connection.Add("X-Private");
        request.Headers.TryAddWithoutValidation("X-Private", "secret");
        request.Headers.TryAddWithoutValidation("Keep-Alive", "timeout=5");
        request.Headers.TryAddWithoutValidation("Proxy-Connection", "keep-alive");
        request.Headers.TryAddWithoutValidation("X-Kept", "1");
        using var response = await proxy.Client.SendAsync(request);
        var names = (await response.Content.ReadAsStringAsync()).Split(',');

        Assert.Contains("x-kept", names);
        Assert.Contains("host", names);
        Assert.Contains("x-forwarded-for", names);
        Assert.DoesNotContain("x-private", names);
        Assert.DoesNotContain("keep-alive", names);
        Assert.DoesNotContain("proxy-connection", names);
    }

    [Fact]
    public async Task Hop_by_hop_response_headers_are_not_forwarded()
    {
        using var origin = new RawOrigin((_, _) => RawOrigin.Text(
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive, X-Private\r\nX-Private: secret\r\n" +
            "Keep-Alive: timeout=5\r\nX-Kept: yes\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\nok"));
        await using var proxy = await StartAsync(PoolOf(origin.Address));
        using var response = await proxy.Client.GetAsync("/");

        Assert.Equal("ok", await response.Content.ReadAsStringAsync());
        Assert.Equal("yes", response.Headers.GetValues("X-Kept").Single());
        Assert.Equal(["a=1", "b=2"], response.Headers.GetValues("Set-Cookie"));
        Assert.False(response.Headers.Contains("X-Private"));
        Assert.False(response.Headers.Contains("Keep-Alive"));
    }

    [Fact]
    public async Task Chunked_responses_with_extensions_and_trailers_are_decoded_and_the_connection_reused()
    {
        using var origin = new RawOrigin((_, _) => RawOrigin.Text(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nX-Trailer: t\r\n\r\n"));
        await using var proxy = await StartAsync(PoolOf(origin.Address));
        for (var i = 0; i < 3; i++) Assert.Equal("hello world", await proxy.Client.GetStringAsync("/"));
        Assert.Equal(1, origin.Connections);
    }

    [Fact]
    public async Task A_response_delimited_by_close_is_relayed_whole()
    {
        using var origin = new RawOrigin((_, _) => RawOrigin.Text("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end", close: true));
        await using var proxy = await StartAsync(PoolOf(origin.Address));
        Assert.Equal("until the end", await proxy.Client.GetStringAsync("/"));
        Assert.Equal("until the end", await proxy.Client.GetStringAsync("/"));
        Assert.Equal(2, origin.Connections);
    }

    [Fact]
    public async Task Interim_responses_are_skipped()
    {
        using var origin = new RawOrigin((_, _) => RawOrigin.Text(
            "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfinal"));
        await using var proxy = await StartAsync(PoolOf(origin.Address));
        Assert.Equal("final", await proxy.Client.GetStringAsync("/"));
    }

    [Fact]
    public async Task An_origin_closing_idle_connections_does_not_fail_the_next_request()
    {
        // The origin answers with keep-alive, then closes every connection shortly afterwards, as a
        // backend's idle timeout does; each next request must still succeed.
        using var origin = new RawOrigin((_, _) => RawOrigin.Text("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", close: true));
        var pool = PoolOf(origin.Address);
        await using var proxy = await StartAsync(pool);
        for (var i = 0; i < 5; i++)
        {
            using var response = await proxy.Client.GetAsync("/");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("ok", await response.Content.ReadAsStringAsync());
            await Task.Delay(50);
        }
        Assert.Equal(5, origin.Connections);
        Assert.Equal(0, pool.Backends[0].Counters.Failures);
    }

    [Fact]
    public async Task A_reused_connection_closed_before_the_response_is_retried_on_a_fresh_one()
    {
        // The origin reads the second request on a connection and closes without answering: the race
        // of a backend's idle timeout. A GET is sent again once on a new connection (RFC 9112 §9.3.1).
        var served = 0;
        using var origin = new RawOrigin((_, _) => Interlocked.Increment(ref served) % 2 == 0
            ? ([], true)
            : RawOrigin.Text("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
        var pool = PoolOf(origin.Address);
        await using var proxy = await StartAsync(pool);
        for (var i = 0; i < 3; i++) Assert.Equal("ok", await proxy.Client.GetStringAsync("/"));
        Assert.Equal(0, pool.Backends[0].Counters.Failures);
        Assert.True(origin.Connections >= 2);
    }

    [Fact]
    public async Task A_post_never_goes_out_on_a_connection_the_origin_already_closed()
    {
        // A request with a body cannot be replayed, so an idle connection is probed before use: the
        // origin's close is seen and the POST goes out on a fresh connection.
        using var origin = new RawOrigin((_, body) => RawOrigin.Text($"HTTP/1.1 200 OK\r\nContent-Length: {body.Length}\r\n\r\n{body}", close: true));
        var pool = PoolOf(origin.Address);
        await using var proxy = await StartAsync(pool);
        for (var i = 0; i < 3; i++)
        {
            using var response = await proxy.Client.PostAsync("/", new StringContent($"post {i}"));
            Assert.Equal($"post {i}", await response.Content.ReadAsStringAsync());
            await Task.Delay(50); // the origin's FIN arrives while the connection is idle
        }
        Assert.Equal(3, origin.Connections);
        Assert.Equal(0, pool.Backends[0].Counters.Failures);
    }

    [Fact]
    public async Task A_post_lost_on_a_reused_connection_is_not_replayed()
    {
        // The origin answers the first request, then takes the second and closes without a word: a
        // POST may have had effects, so it is not sent again; HttpProxy answers 502 and counts it.
        var served = 0;
        using var origin = new RawOrigin((_, _) => Interlocked.Increment(ref served) == 1
            ? RawOrigin.Text("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            : ([], true));
        var pool = PoolOf(origin.Address);
        await using var proxy = await StartAsync(pool);
        Assert.Equal("ok", await proxy.Client.GetStringAsync("/"));
        using var response = await proxy.Client.PostAsync("/", new StringContent("once"));
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal(2, Volatile.Read(ref served));
        Assert.Equal(1, pool.Backends[0].Counters.Failures);
    }

    [Theory]
    [InlineData("garbage\r\n\r\n")]
    [InlineData("HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello")]
    [InlineData("HTTP/1.1 200 OK\r\nBad Header: x\r\nContent-Length: 0\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nX-Folded: a\r\n b\r\nContent-Length: 0\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n")]
    [InlineData("HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n")]
    public async Task A_malformed_response_is_answered_502_and_counted(string garbage)
    {
        using var origin = new RawOrigin((_, _) => RawOrigin.Text(garbage, close: true));
        var pool = PoolOf(origin.Address);
        await using var proxy = await StartAsync(pool);
        using var response = await proxy.Client.GetAsync("/");
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal(1, pool.Backends[0].Counters.Failures);
    }

    [Fact]
    public async Task A_truncated_body_cuts_the_client_connection()
    {
        using var origin = new RawOrigin((_, _) => RawOrigin.Text("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\nonly this", close: true));
        var pool = PoolOf(origin.Address);
        await using var proxy = await StartAsync(pool);
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => proxy.Client.GetByteArrayAsync("/"));
        Assert.Equal(1, pool.Backends[0].Counters.Failures);
    }

    [Fact]
    public async Task A_refused_backend_is_retried_on_another()
    {
        await using var origin = await BodyOrigin.StartAsync();
        var dead = TestPools.DeadAddress();
        var pool = PoolOf(dead, origin.Address);
        await using var proxy = await StartAsync(pool);
        for (var i = 0; i < 4; i++) Assert.Equal("ok", await proxy.Client.GetStringAsync("/"));
        Assert.Equal(4, origin.Requests);
        Assert.True(pool.Backends[0].Counters.ConnectFailures >= 1);
    }

    [Fact]
    public async Task A_slow_backend_is_answered_504()
    {
        await using var origin = await Origin.StartAsync("o1");
        var pool = TestPools.Create("web", [origin.Address], o => o with { ResponseTimeout = TimeSpan.FromMilliseconds(300) });
        await using var proxy = await StartAsync(pool);
        using var response = await proxy.Client.GetAsync("/slow");
        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal(1, pool.Backends[0].Counters.Failures);
        Assert.Equal("o1", await proxy.Client.GetStringAsync("/"));
        // Again on the connection the last request left in the pool (its idle timer already armed).
        using var again = await proxy.Client.GetAsync("/slow");
        Assert.Equal(HttpStatusCode.GatewayTimeout, again.StatusCode);
        Assert.Equal(2, pool.Backends[0].Counters.Failures);
    }

    [Fact]
    public async Task A_body_that_stalls_is_cut_after_the_response_timeout()
    {
        // Head and part of the body, then silence: the idle timeout also covers the streaming body.
        using var origin = new RawOrigin((_, _) => RawOrigin.Text("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + new string('x', 40000)));
        var pool = TestPools.Create("web", [origin.Address], o => o with { ResponseTimeout = TimeSpan.FromMilliseconds(300) });
        await using var proxy = await StartAsync(pool);
        var started = DateTime.UtcNow;
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => proxy.Client.GetByteArrayAsync("/"));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(15)); // not the client's 20 s timeout
        Assert.Equal(1, pool.Backends[0].Counters.Failures);
    }

    [Fact]
    public async Task A_backend_that_never_accepts_fails_at_the_connect_timeout()
    {
        using var stuck = new StuckListener();
        await using var origin = await Origin.StartAsync("o1");
        var pool = TestPools.Create("web", [stuck.Address, origin.Address], o => o with { ConnectTimeout = TimeSpan.FromMilliseconds(300) });
        await using var proxy = await StartAsync(pool);
        for (var i = 0; i < 2; i++) Assert.Equal("o1", await proxy.Client.GetStringAsync("/"));
        Assert.True(pool.Backends[0].Counters.ConnectFailures >= 1);
    }

    [Fact]
    public async Task WebSocket_upgrades_fall_back_to_yarp_and_work()
    {
        await using var origin = await Origin.StartAsync("o1");
        await using var proxy = await StartAsync(TestPools.Create("web", origin));
        using var socket = new System.Net.WebSockets.ClientWebSocket();
        var uri = new UriBuilder(proxy.Client.BaseAddress!) { Scheme = "ws", Path = "/ws" }.Uri;
        await socket.ConnectAsync(uri, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        await socket.SendAsync("hi"u8.ToArray(), System.Net.WebSockets.WebSocketMessageType.Text, true, CancellationToken.None);
        var buffer = new byte[64];
        var received = await socket.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("o1:hi", Encoding.UTF8.GetString(buffer, 0, received.Count));
        await socket.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, null, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task The_request_head_keeps_host_target_and_forwarded_headers()
    {
        using var origin = new RawOrigin((_, _) => RawOrigin.Text("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
        await using var proxy = await StartAsync(PoolOf(origin.Address));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/a%20b/c?x=1&y=%2F");
        request.Headers.Host = "shop.example";
        using var response = await proxy.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var head = origin.Heads.Single();
        Assert.StartsWith("GET /a%20b/c?x=1&y=%2F HTTP/1.1\r\n", head);
        Assert.Contains("\r\nHost: shop.example\r\n", head);
        Assert.Contains("\r\nX-Forwarded-For: 127.0.0.1\r\n", head);
        Assert.Contains("\r\nX-Forwarded-Host: shop.example\r\n", head);
        Assert.DoesNotContain("Connection:", head);
    }

    [Fact]
    public async Task An_absolute_form_target_reaches_the_backend_in_origin_form()
    {
        using var origin = new RawOrigin((_, _) => RawOrigin.Text("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
        await using var proxy = await StartAsync(PoolOf(origin.Address));
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync(proxy.Client.BaseAddress!.Host, proxy.Client.BaseAddress.Port);
        var stream = client.GetStream();
        await stream.WriteAsync("GET http://shop.example/abs?x=1 HTTP/1.1\r\nHost: shop.example\r\nConnection: close\r\n\r\n"u8.ToArray());
        using var reader = new StreamReader(stream);
        var answer = await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.StartsWith("HTTP/1.1 200 OK", answer);
        Assert.StartsWith("GET /abs?x=1 HTTP/1.1\r\n", origin.Heads.Single());
    }

    [Fact]
    public async Task A_request_head_larger_than_the_write_buffer_is_sent_whole()
    {
        using var origin = new RawOrigin((_, _) => RawOrigin.Text("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
        await using var proxy = await StartAsync(PoolOf(origin.Address));
        var big = new string('c', 24 * 1024);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/big");
        request.Headers.TryAddWithoutValidation("X-Big", big);
        using var response = await proxy.Client.SendAsync(request);
        Assert.Equal("ok", await response.Content.ReadAsStringAsync());
        Assert.Contains($"\r\nX-Big: {big}\r\n", origin.Heads.Single());
        Assert.Equal("ok", await proxy.Client.GetStringAsync("/after")); // and the connection is still in step
        Assert.Equal(1, origin.Connections);
    }

    [Fact]
    public async Task A_response_head_beyond_the_cap_is_answered_502()
    {
        using var origin = new RawOrigin((_, _) => RawOrigin.Text(
            "HTTP/1.1 200 OK\r\nX-Huge: " + new string('h', 40 * 1024) + "\r\nContent-Length: 2\r\n\r\nok"));
        var pool = PoolOf(origin.Address);
        await using var proxy = await StartAsync(pool);
        using var response = await proxy.Client.GetAsync("/");
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal(1, pool.Backends[0].Counters.Failures);
    }

    [Fact]
    public async Task A_client_that_leaves_is_not_held_against_the_backend()
    {
        await using var origin = await Origin.StartAsync("o1");
        var pool = TestPools.Create("web", origin);
        await using var proxy = await StartAsync(pool);
        using var cts = new CancellationTokenSource();
        var pending = proxy.Client.GetAsync("/gate", cts.Token);
        await origin.GateEntered.WaitAsync(TimeSpan.FromSeconds(10));
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
        for (var i = 0; i < 500 && pool.Backends[0].Counters.Active != 0; i++) await Task.Delay(20);
        Assert.Equal(0, pool.Backends[0].Counters.Active);
        Assert.Equal(0, pool.Backends[0].Counters.Failures);
        Assert.Equal("o1", await proxy.Client.GetStringAsync("/"));
    }
}
