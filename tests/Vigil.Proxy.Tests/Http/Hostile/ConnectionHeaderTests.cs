using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Vigil.Proxy.Http;
using Vigil.Proxy.Http.Upstream.Http1;

namespace Vigil.Proxy.Tests.Http.Hostile;

/// <summary>Connection options (RFC 9110 §7.6.1) as Vigil reads them, and the request head they shape.</summary>
public class ConnectionHeaderTests
{
    [Theory]
    [InlineData("content-length", "Content-Length")]
    [InlineData(" X-Private ,\tHOST", "Host")]
    [InlineData("x-forwarded-for", "X-Forwarded-For")]
    [InlineData("a,,b, x-real-ip", "X-Real-IP")]
    [InlineData("TE, Forwarded", "Forwarded")]
    [InlineData("X-Private, TE", null)]
    [InlineData("close", null)]
    [InlineData("", null)]
    [InlineData("Content-Lengthy, Hosts", null)]
    public void Finds_the_first_field_no_option_may_remove(string connection, string? expected) =>
        Assert.Equal(expected, ConnectionHeader.FirstProtected(new StringValues(connection)));

    [Theory]
    [InlineData("close", false)]
    [InlineData("Keep-Alive , close", false)]
    [InlineData(" , ", false)]
    [InlineData("keep-alive, X-Private", true)]
    public void Tells_whether_anything_beyond_close_and_keep_alive_is_nominated(string connection, bool expected) =>
        Assert.Equal(expected, ConnectionHeader.NominatesFields(new StringValues(connection)));

    [Fact]
    public void Reading_the_options_allocates_nothing()
    {
        StringValues connection = new(["keep-alive, X-Private", "TE ,\tx-other"]);
        var hits = 0;
        ConnectionHeader.FirstProtected(connection); // warm up (JIT)
        ConnectionHeader.NominatesFields(connection);
        ConnectionHeader.Nominates(connection, "X-Other");
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            if (ConnectionHeader.FirstProtected(connection) is null) hits++;
            if (ConnectionHeader.NominatesFields(connection)) hits++;
            if (ConnectionHeader.Nominates(connection, "X-Other")) hits++;
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(3000, hits);
    }

    private static string Head(DefaultHttpContext context, RequestFraming framing)
    {
        var buffer = new byte[4096];
        var length = RequestHead.Write(context.Request, "/t", "backend:80", framing, buffer);
        Assert.True(length > 0);
        return Encoding.Latin1.GetString(buffer, 0, length);
    }

    [Fact]
    public void The_request_head_never_drops_protected_fields_whatever_Connection_says()
    {
        // HttpProxy answers such a request 400 first; the writer is the second lock.
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        var headers = context.Request.Headers;
        headers.Host = "shop.example";
        headers.Connection = "Host, X-Forwarded-For, Content-Length, X-Private";
        headers["X-Forwarded-For"] = "127.0.0.1";
        headers["X-Private"] = "secret";
        headers.ContentLength = 5;

        var head = Head(context, RequestFraming.ContentLength);

        Assert.Contains("\r\nHost: shop.example\r\n", head);
        Assert.Contains("\r\nX-Forwarded-For: 127.0.0.1\r\n", head);
        Assert.Contains("\r\nContent-Length: 5\r\n", head);
        Assert.DoesNotContain("X-Private", head);
        Assert.DoesNotContain("Connection", head);
    }

    [Theory]
    [InlineData(true, "Transfer-Encoding: chunked", "Content-Length")]
    [InlineData(false, "Content-Length: 12", "Transfer-Encoding")]
    public void The_request_head_carries_Vigils_framing_and_never_the_clients(bool chunked, string expected, string absent)
    {
        var framing = chunked ? RequestFraming.Chunked : RequestFraming.ContentLength;
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        var headers = context.Request.Headers;
        headers.Host = "shop.example";
        headers.ContentLength = 12;
        headers.TransferEncoding = "gzip, chunked";

        var head = Head(context, framing);

        Assert.Single(head.Split("\r\n"), l => l == expected);
        Assert.DoesNotContain(absent, head);
        Assert.DoesNotContain("gzip", head);
    }
}
