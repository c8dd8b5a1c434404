using System.Text;
using Vigil.Proxy.Http.Upstream.Http1;

namespace Vigil.Proxy.Tests.Http.Upstream;

public class ResponseHeadTests
{
    private static (ParseStatus Status, ResponseHead Head) Parse(string text, bool head = false)
    {
        var status = ResponseHead.TryParse(Encoding.Latin1.GetBytes(text), head, out var parsed);
        return (status, parsed);
    }

    [Fact]
    public void Parses_a_content_length_response()
    {
        const string text = "HTTP/1.1 201 Created\r\nContent-Length: 12\r\nX-A: b\r\n\r\nbody...";
        var (status, head) = Parse(text);
        Assert.Equal(ParseStatus.Done, status);
        Assert.Equal(201, head.Status);
        Assert.Equal(BodyFraming.ContentLength, head.Framing);
        Assert.Equal(12, head.ContentLength);
        Assert.True(head.KeepAlive);
        Assert.Equal(text.IndexOf("body", StringComparison.Ordinal), head.Length);
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", false, "Chunked", true)]
    [InlineData("HTTP/1.1 200 OK\r\n\r\n", false, "UntilClose", false)]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\n", false, "ContentLength", false)]
    [InlineData("HTTP/1.0 200 OK\r\nContent-Length: 5\r\nConnection: keep-alive\r\n\r\n", false, "ContentLength", false)]
    // A HEAD answer whose GET would have a body, and bodiless answers that announce one anyway, close
    // the connection: a backend that says a body exists may send it after all (RFC 9110 §9.3.2, §8.6).
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", true, "None", false)]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", true, "None", false)]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", true, "None", true)]
    [InlineData("HTTP/1.1 204 No Content\r\n\r\n", false, "None", true)]
    [InlineData("HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n", false, "None", false)]
    [InlineData("HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n", false, "None", true)]
    [InlineData("HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n", false, "None", false)]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", false, "None", true)]
    [InlineData("HTTP/1.1 200 OK\nContent-Length: 1\n\n", false, "ContentLength", true)]
    public void Decides_framing_and_reuse_by_RFC_9112_section_6_3(string text, bool head, string framing, bool keepAlive)
    {
        var (status, parsed) = Parse(text, head);
        Assert.Equal(ParseStatus.Done, status);
        Assert.Equal(framing, parsed.Framing.ToString());
        Assert.Equal(keepAlive, parsed.KeepAlive);
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Le")]
    [InlineData("HTTP/1.1 200")]
    [InlineData("")]
    public void Asks_for_more_until_the_head_is_complete(string text) => Assert.Equal(ParseStatus.Incomplete, Parse(text).Status);

    [Theory]
    [InlineData("HTTP/2 200\r\n\r\n")]
    [InlineData("HTTP/1.1 20 OK\r\n\r\n")]
    [InlineData("HTTP/1.1 099 Low\r\n\r\n")]
    [InlineData("HTTP/1.1 200OK\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nName : value\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\n: value\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nA: 1\r\n folded\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 1, 1\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nX: a\u0001b\r\n\r\n")]
    // RFC 9110 §8.6: Content-Length = 1*DIGIT, nothing else.
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 5 5\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 0x5\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 5.0\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 9223372036854775808\r\n\r\n")]
    // RFC 9112 §6.3 rule 3: both framings is a smuggling signal; refused rather than guessed.
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n")]
    public void Rejects_malformed_heads(string text) => Assert.Equal(ParseStatus.Malformed, Parse(text).Status);

    [Fact]
    public void Notes_when_Connection_names_other_headers()
    {
        Assert.True(Parse("HTTP/1.1 200 OK\r\nConnection: keep-alive, X-Private\r\nContent-Length: 0\r\n\r\n").Head.ConnectionNamesOthers);
        Assert.False(Parse("HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n").Head.ConnectionNamesOthers);
    }

    [Theory]
    [InlineData("Content-Length: 0", 0)]
    [InlineData("Content-Length: 000123", 123)]
    [InlineData("Content-Length:\t42 ", 42)]
    [InlineData("Content-Length: 999999999999999999", 999999999999999999)]
    public void Accepts_digits_only_content_lengths(string header, long length)
    {
        var (status, head) = Parse($"HTTP/1.1 200 OK\r\n{header}\r\n\r\n");
        Assert.Equal(ParseStatus.Done, status);
        Assert.Equal(length, head.ContentLength);
    }

    // Found by the http1-response fuzz target (fuzz/Vigil.Fuzz, AFL++): Utf8Parser takes a sign, so
    // "+3" and "-0" were lengths. RFC 9110 §8.6: Content-Length = 1*DIGIT; a proxy that reads a length
    // its peers do not is one half of a desync.
    [Theory]
    [InlineData("HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\nContent-Length:+3\r\n\r\nbad")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: +204 \r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: -0\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 0x5\r\n\r\n")]
    public void A_content_length_that_is_not_all_digits_is_malformed(string text) =>
        Assert.Equal(ParseStatus.Malformed, Parse(text).Status);
}
