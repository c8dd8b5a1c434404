using System.Net;
using Vigil.Proxy.Http;
using Vigil.Proxy.Http.Upstream;

namespace Vigil.Proxy.Tests.Http.Hostile;

/// <summary>
/// Request framing toward a backend is Vigil's, never the client's: a client cannot make the backend
/// see a different number of requests, a different Host, or lose the forwarding headers Vigil sets,
/// whatever it writes in Connection, Content-Length or the forwarding headers. Both upstreams.
/// </summary>
public class RequestSmugglingTests
{
    private static Task<ProxyServer> StartAsync(ScriptedOrigin origin, UpstreamKind kind, HttpProxyOptions? options = null) =>
        ProxyServer.StartAsync(TestPools.Create("web", [origin.Address]), options, upstream: UpstreamFactory.Create(kind));

    /// <summary>Answers each request with its target; /delay only after 200 ms, so a smuggled answer lands on the next client.</summary>
    private static ScriptedOrigin EchoOrigin() => new(async (request, stream) =>
    {
        if (request.Target == "/delay") await Task.Delay(200);
        await stream.WriteAsync(ScriptedOrigin.Ok(request.Target));
        return true;
    });

    private static async Task AssertInnocentClientsGetTheirOwnAsync(ProxyServer proxy)
    {
        for (var i = 0; i < 3; i++)
        {
            using var response = await proxy.Client.GetAsync($"/victim{i}");
            Assert.Equal($"/victim{i}", await response.Content.ReadAsStringAsync());
        }
    }

    [Theory]
    [InlineData(UpstreamKind.Http1)]
    [InlineData(UpstreamKind.Yarp)]
    public async Task Connection_content_length_cannot_smuggle_a_second_request(UpstreamKind kind)
    {
        // The reproduction: the body is a whole request; dropping the nominated
        // Content-Length would make the backend parse it as a second one.
        using var origin = EchoOrigin();
        await using var proxy = await StartAsync(origin, kind);
        const string smuggled = "GET /delay HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
        var attack = await RawClient.ExchangeAsync(proxy.Client.BaseAddress!,
            $"POST /ok HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: content-length\r\nContent-Length: {smuggled.Length}\r\n\r\n{smuggled}");

        Assert.Equal(400, attack.Status); // RFC 9110 §7.6.1: a field for every recipient is no connection option
        await AssertInnocentClientsGetTheirOwnAsync(proxy);
        Assert.DoesNotContain(origin.Requests, r => r.Target == "/delay");
        Assert.Equal(["/victim0", "/victim1", "/victim2"], origin.Requests.Select(r => r.Target));
    }

    [Theory]
    [InlineData(UpstreamKind.Http1, "Transfer-Encoding")]
    [InlineData(UpstreamKind.Http1, "TE, content-length")]
    [InlineData(UpstreamKind.Yarp, "Transfer-Encoding")]
    public async Task Connection_cannot_remove_framing_from_a_chunked_request(UpstreamKind kind, string nominated)
    {
        using var origin = EchoOrigin();
        await using var proxy = await StartAsync(origin, kind);
        const string smuggled = "GET /delay HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
        var attack = await RawClient.ExchangeAsync(proxy.Client.BaseAddress!,
            $"POST /ok HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: {nominated}\r\nTransfer-Encoding: chunked\r\n\r\n" +
            $"{smuggled.Length:x}\r\n{smuggled}\r\n0\r\n\r\n");

        Assert.Equal(400, attack.Status);
        await AssertInnocentClientsGetTheirOwnAsync(proxy);
        Assert.DoesNotContain(origin.Requests, r => r.Target == "/delay");
    }

    [Theory]
    [InlineData(UpstreamKind.Http1, "Host")]
    [InlineData(UpstreamKind.Http1, "X-Forwarded-For")]
    [InlineData(UpstreamKind.Http1, "X-Forwarded-Host")]
    [InlineData(UpstreamKind.Http1, "X-Other, X-Forwarded-Proto")]
    [InlineData(UpstreamKind.Http1, "Forwarded")]
    [InlineData(UpstreamKind.Yarp, "Host")]
    [InlineData(UpstreamKind.Yarp, "X-Forwarded-For")]
    public async Task Connection_cannot_remove_Host_or_the_forwarding_headers_Vigil_sets(UpstreamKind kind, string nominated)
    {
        // Nominating Host fetched a response for one host under another (a cache poisoning); nominating
        // X-Forwarded-For hid the client's address from the backend.
        using var origin = EchoOrigin();
        await using var proxy = await StartAsync(origin, kind);
        var attack = await RawClient.ExchangeAsync(proxy.Client.BaseAddress!,
            $"GET /nominated HTTP/1.1\r\nHost: shop.example\r\nConnection: {nominated}\r\n\r\n");

        Assert.Equal(400, attack.Status);
        Assert.Empty(origin.Requests);
        await AssertInnocentClientsGetTheirOwnAsync(proxy);
    }

    [Fact]
    public async Task Connection_still_removes_true_hop_by_hop_fields()
    {
        // (YARP's forwarder does not remove nominated fields at all: it forwards X-Private.)
        using var origin = EchoOrigin();
        await using var proxy = await StartAsync(origin, UpstreamKind.Http1);
        var response = await RawClient.ExchangeAsync(proxy.Client.BaseAddress!,
            "GET /hop HTTP/1.1\r\nHost: shop.example\r\nConnection: X-Private, TE\r\nTE: trailers\r\nX-Private: secret\r\nX-Kept: 1\r\n\r\n");

        Assert.Equal(200, response.Status);
        var seen = origin.Requests.Single();
        Assert.True(seen.Header("X-Private") is null, seen.Head);
        Assert.Equal("1", seen.Header("X-Kept"));
        Assert.Equal("shop.example", seen.Header("Host"));
        Assert.Equal("127.0.0.1", seen.Header("X-Forwarded-For"));
    }

    [Theory]
    [InlineData("close, Host")]
    [InlineData("X-Forwarded-For, keep-alive")]
    [InlineData("Content-Length, close")]
    public async Task A_nomination_next_to_close_or_keep_alive_removes_nothing(string nominated)
    {
        // Kestrel keeps only the close/keep-alive/upgrade token of such a header, so Vigil never sees
        // the nomination: nothing is removed, and the backend gets the request whole.
        using var origin = EchoOrigin();
        await using var proxy = await StartAsync(origin, UpstreamKind.Http1);
        using var client = await RawClient.ConnectAsync(proxy.Client.BaseAddress!);
        await client.SendAsync($"POST /kept HTTP/1.1\r\nHost: shop.example\r\nConnection: {nominated}\r\nContent-Length: 5\r\n\r\nhello");
        var response = await client.ReadResponseAsync();

        Assert.Equal(200, response?.Status);
        var seen = origin.Requests.Single();
        Assert.Equal("hello", seen.Body);
        Assert.Equal("shop.example", seen.Header("Host"));
        Assert.Equal("127.0.0.1", seen.Header("X-Forwarded-For"));
    }

    [Theory]
    [InlineData("Content-Length: 05\r\n", "hello")]
    [InlineData("Content-Length: 000000000000000000005\r\n", "hello")]
    public async Task The_backend_sees_the_length_Vigil_parsed_written_by_Vigil(string framing, string body)
    {
        // Whatever spelling the client used, the backend gets one canonical Content-Length (RFC 9110 §8.6).
        using var origin = EchoOrigin();
        await using var proxy = await StartAsync(origin, UpstreamKind.Http1);
        var response = await RawClient.ExchangeAsync(proxy.Client.BaseAddress!,
            $"POST /len HTTP/1.1\r\nHost: shop.example\r\n{framing}\r\n{body}");

        Assert.Equal(200, response.Status);
        var seen = origin.Requests.Single();
        Assert.Equal(body, seen.Body);
        Assert.Single(seen.Head.Split("\r\n"), l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
        Assert.Contains("\r\nContent-Length: 5\r\n", seen.Head);
    }

    [Theory]
    [InlineData(UpstreamKind.Http1)]
    [InlineData(UpstreamKind.Yarp)]
    public async Task Forwarding_headers_from_an_untrusted_client_are_stripped_or_overwritten(UpstreamKind kind)
    {
        using var origin = EchoOrigin();
        await using var proxy = await StartAsync(origin, kind);
        var response = await RawClient.ExchangeAsync(proxy.Client.BaseAddress!,
            "GET /claims HTTP/1.1\r\nHost: shop.example\r\nForwarded: for=6.6.6.6;proto=https;host=evil.example\r\nX-Real-IP: 6.6.6.6\r\n" +
            "X-Forwarded-For: 6.6.6.6\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: evil.example\r\nX-Forwarded-Port: 443\r\n" +
            "X-Forwarded-Prefix: /admin\r\n\r\n");

        Assert.Equal(200, response.Status);
        var seen = origin.Requests.Single();
        Assert.Null(seen.Header("Forwarded"));
        Assert.Null(seen.Header("X-Real-IP"));
        Assert.Null(seen.Header("X-Forwarded-Port"));
        Assert.Null(seen.Header("X-Forwarded-Prefix"));
        Assert.Equal("127.0.0.1", seen.Header("X-Forwarded-For"));
        Assert.Equal("http", seen.Header("X-Forwarded-Proto"));
        Assert.Equal("shop.example", seen.Header("X-Forwarded-Host"));
    }

    [Fact]
    public async Task Forwarding_headers_from_a_trusted_proxy_are_kept()
    {
        using var origin = EchoOrigin();
        await using var proxy = await StartAsync(origin, UpstreamKind.Http1,
            new HttpProxyOptions { ListenerName = "test", TrustedProxies = [IPNetwork.Parse("127.0.0.0/8")] });
        var response = await RawClient.ExchangeAsync(proxy.Client.BaseAddress!,
            "GET /claims HTTP/1.1\r\nHost: shop.example\r\nForwarded: for=203.0.113.7\r\nX-Real-IP: 203.0.113.7\r\n" +
            "X-Forwarded-Port: 443\r\nX-Forwarded-Prefix: /shop\r\n\r\n");

        Assert.Equal(200, response.Status);
        var seen = origin.Requests.Single();
        Assert.Equal("for=203.0.113.7", seen.Header("Forwarded"));
        Assert.Equal("203.0.113.7", seen.Header("X-Real-IP"));
        Assert.Equal("443", seen.Header("X-Forwarded-Port"));
        Assert.Equal("/shop", seen.Header("X-Forwarded-Prefix"));
    }
}
