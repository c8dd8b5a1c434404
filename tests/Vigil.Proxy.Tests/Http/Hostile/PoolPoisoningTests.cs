using System.Net;
using System.Text;
using Vigil.Balancing;
using Vigil.Proxy.Http.Upstream;

namespace Vigil.Proxy.Tests.Http.Hostile;

/// <summary>
/// A pooled backend connection carries the next client's request only when the last response ended
/// exactly at its framing and nothing arrived since: late bytes, bodies on bodiless responses, early
/// answers and conflicting framing never reach an innocent client.
/// </summary>
public class PoolPoisoningTests
{
    private static async Task<(ProxyServer Proxy, Pool Pool)> StartAsync(ScriptedOrigin origin)
    {
        var pool = TestPools.Create("web", [origin.Address]);
        return (await ProxyServer.StartAsync(pool, upstream: new Http1Upstream(YarpUpstream.Create())), pool);
    }

    /// <summary>A whole response: what a poisoned connection would hand the next client.</summary>
    private static readonly byte[] Stray = ScriptedOrigin.Ok("stray!");

    private static async Task AssertOwnAsync(ProxyServer proxy, string target)
    {
        using var response = await proxy.Client.GetAsync(target);
        Assert.Equal(target, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Bytes_arriving_after_a_complete_response_never_reach_the_next_client()
    {
        // The response ends at its Content-Length; 300 ms later the backend writes a whole second
        // response. The connection is idle in the pool by then: the next request must not get it.
        var strayWritten = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var origin = new ScriptedOrigin(async (request, stream) =>
        {
            await stream.WriteAsync(ScriptedOrigin.Ok(request.Target));
            if (request.Target != "/first") return true;
            await Task.Delay(300);
            await stream.WriteAsync(Stray);
            strayWritten.TrySetResult();
            return true;
        });
        var (proxy, _) = await StartAsync(origin);
        await using var _ = proxy;

        await AssertOwnAsync(proxy, "/first");
        await strayWritten.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await Task.Delay(100); // loopback delivery of the stray bytes to the idle connection
        await AssertOwnAsync(proxy, "/second");
        await AssertOwnAsync(proxy, "/third");
    }

    [Theory]
    [InlineData("HEAD", "HTTP/1.1 200 OK\r\nContent-Length: {0}\r\n\r\n")]
    [InlineData("HEAD", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")]
    [InlineData("GET", "HTTP/1.1 204 No Content\r\nContent-Length: {0}\r\n\r\n")]
    [InlineData("GET", "HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n")]
    public async Task A_bodiless_response_that_announces_a_body_does_not_leave_its_connection_to_the_next_client(string method, string head)
    {
        // RFC 9110 §9.3.2, §15.3.5, §15.4.5: no body follows. A backend that announced one may still
        // send it, 300 ms later, after the next request went out on the same connection.
        using var origin = new ScriptedOrigin(async (request, stream) =>
        {
            if (request.Target != "/bodiless")
            {
                await stream.WriteAsync(ScriptedOrigin.Ok(request.Target));
                return true;
            }
            await stream.WriteAsync(Encoding.Latin1.GetBytes(string.Format(head, Stray.Length)));
            await Task.Delay(300);
            await stream.WriteAsync(Stray);
            return true;
        });
        var (proxy, _) = await StartAsync(origin);
        await using var __ = proxy;

        using (var request = new HttpRequestMessage(new HttpMethod(method), "/bodiless"))
        using (var response = await proxy.Client.SendAsync(request))
            Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        await AssertOwnAsync(proxy, "/next"); // at once: the stray body is still on its way
        await Task.Delay(400);
        await AssertOwnAsync(proxy, "/later");
    }

    [Theory]
    [InlineData("HTTP/1.1 204 No Content\r\n\r\n")]
    [InlineData("HTTP/1.1 304 Not Modified\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")]
    public async Task Bytes_after_a_bodiless_response_are_never_taken_for_the_next_response(string head)
    {
        var strayWritten = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var origin = new ScriptedOrigin(async (request, stream) =>
        {
            if (request.Target != "/bodiless")
            {
                await stream.WriteAsync(ScriptedOrigin.Ok(request.Target));
                return true;
            }
            await stream.WriteAsync(Encoding.Latin1.GetBytes(head));
            await Task.Delay(100);
            await stream.WriteAsync(Stray);
            strayWritten.TrySetResult();
            return true;
        });
        var (proxy, _) = await StartAsync(origin);
        await using var __ = proxy;

        using (var response = await proxy.Client.GetAsync("/bodiless"))
            Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        await strayWritten.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await Task.Delay(100);
        await AssertOwnAsync(proxy, "/next");
    }

    [Fact]
    public async Task An_answer_before_the_request_body_was_sent_closes_the_connection()
    {
        // A server that answers from the head alone (a 401, a 413) and never reads the body parses the
        // rest of it as the next request: here a whole smuggled request, whose answer would go to the
        // next client if the connection were kept.
        var answered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var origin = new ScriptedOrigin(async (request, stream) =>
        {
            if (request.Target == "/upload")
            {
                await stream.WriteAsync(ScriptedOrigin.Ok("too large", "413 Content Too Large"));
                answered.TrySetResult();
                return true;
            }
            await stream.WriteAsync(ScriptedOrigin.Ok(request.Target));
            return true;
        }, readBodies: false);
        var (proxy, _) = await StartAsync(origin);
        await using var __ = proxy;

        const string body = "GET /smuggled HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
        using var client = await RawClient.ConnectAsync(proxy.Client.BaseAddress!);
        await client.SendAsync($"POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {body.Length}\r\n\r\n{body[..9]}");
        await answered.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await Task.Delay(200); // the early answer reaches Vigil before the rest of the body
        await client.SendAsync(body[9..]);
        var early = await client.ReadResponseAsync();
        Assert.Equal(413, early?.Status);

        await AssertOwnAsync(proxy, "/next");
        await AssertOwnAsync(proxy, "/after");
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 50\r\n\r\n5\r\nhello\r\n0\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\nhello")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 5 5\r\n\r\nhello")]
    public async Task Conflicting_or_doubtful_framing_is_answered_502_and_the_connection_closed(string response)
    {
        using var origin = new ScriptedOrigin(async (request, stream) =>
        {
            // The doubtful answer is followed by a whole stray response in the same write.
            await stream.WriteAsync(request.Target == "/doubtful" ? [.. Encoding.Latin1.GetBytes(response), .. Stray] : ScriptedOrigin.Ok(request.Target));
            return true;
        });
        var (proxy, pool) = await StartAsync(origin);
        await using var _ = proxy;

        using (var doubtful = await proxy.Client.GetAsync("/doubtful"))
            Assert.Equal(HttpStatusCode.BadGateway, doubtful.StatusCode);
        Assert.Equal(1, pool.Backends[0].Counters.Failures);
        await AssertOwnAsync(proxy, "/next");
    }

    [Theory]
    [InlineData(10, HttpStatusCode.OK)]
    [InlineData(11, HttpStatusCode.BadGateway)]
    public async Task Interim_responses_are_capped(int interim, HttpStatusCode expected)
    {
        using var origin = new ScriptedOrigin(async (request, stream) =>
        {
            for (var i = 0; i < interim && request.Target == "/flood"; i++)
                await stream.WriteAsync("HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n"u8.ToArray());
            await stream.WriteAsync(ScriptedOrigin.Ok(request.Target));
            return true;
        });
        var (proxy, _) = await StartAsync(origin);
        await using var __ = proxy;

        using (var response = await proxy.Client.GetAsync("/flood"))
            Assert.Equal(expected, response.StatusCode);
        await AssertOwnAsync(proxy, "/next");
    }
}
