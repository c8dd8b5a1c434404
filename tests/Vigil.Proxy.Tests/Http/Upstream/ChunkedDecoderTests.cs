using System.Buffers;
using System.Text;
using Vigil.Proxy.Http.Upstream.Http1;

namespace Vigil.Proxy.Tests.Http.Upstream;

public class ChunkedDecoderTests
{
    private const string Body = "5;name=value\r\nhello\r\n1\r\n \r\nC\r\nworld, again\r\n0\r\nX-Trailer: 1\r\nY: 2\r\n\r\n";

    /// <summary>Feeds <paramref name="input"/> in pieces of <paramref name="piece"/> bytes; returns the data and the bytes consumed.</summary>
    private static (string Data, int Consumed, bool Done) Decode(string input, int piece)
    {
        var bytes = Encoding.ASCII.GetBytes(input);
        var output = new ArrayBufferWriter<byte>();
        var decoder = new ChunkedDecoder();
        var consumed = 0;
        for (var offset = 0; offset < bytes.Length && !decoder.IsDone; offset += piece)
        {
            var slice = bytes.AsSpan(offset, Math.Min(piece, bytes.Length - offset));
            var used = decoder.Decode(slice, output);
            if (used < 0) return (Encoding.ASCII.GetString(output.WrittenSpan), -1, false);
            consumed += used;
        }
        return (Encoding.ASCII.GetString(output.WrittenSpan), consumed, decoder.IsDone);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(1000)]
    public void Decodes_the_same_however_the_input_is_split(int piece)
    {
        var (data, consumed, done) = Decode(Body, piece);
        Assert.Equal("hello world, again", data);
        Assert.True(done);
        Assert.Equal(Body.Length, consumed);
    }

    [Fact]
    public void Stops_at_the_end_of_the_body_and_leaves_what_follows()
    {
        var (data, consumed, done) = Decode("3\r\nabc\r\n0\r\n\r\nHTTP/1.1 200 OK", 1000);
        Assert.Equal("abc", data);
        Assert.True(done);
        Assert.Equal("3\r\nabc\r\n0\r\n\r\n".Length, consumed);
    }

    [Theory]
    [InlineData("00000000000000000000003\r\nabc\r\n0\r\n\r\n")] // leading zeros are not an overflow
    [InlineData("3 ;ext\r\nabc\r\n0\r\n\r\n")]                   // BWS before ';' (RFC 9112 §7.1.1)
    [InlineData("3;a=\"q;\\\"x\"\r\nabc\r\n0 ; last\r\n\r\n")]           // quoted extension values
    [InlineData("3\r\nabc\r\n0\r\nX: 1\n\n")]                        // trailer field lines may end in bare LF (RFC 9112 §2.2)
    public void Accepts_what_RFC_9112_allows(string input)
    {
        var (data, _, done) = Decode(input, 1);
        Assert.Equal("abc", data);
        Assert.True(done);
    }

    [Theory]
    [InlineData("zz\r\nhello\r\n0\r\n\r\n")]        // not hex
    [InlineData("\r\nhello\r\n0\r\n\r\n")]          // no size
    [InlineData("3\r\nabcd\r\n0\r\n\r\n")]          // data longer than its size
    [InlineData("1000000000000000\r\n")]            // 16 hex digits: overflow attempt
    [InlineData("3\rxabc\r\n0\r\n\r\n")]            // CR not followed by LF
    [InlineData("3\nabc\r\n0\r\n\r\n")]              // bare LF after the size: chunk framing is CRLF (RFC 9112 §7.1)
    [InlineData("3\r\nabc\n0\r\n\r\n")]              // bare LF after the data
    [InlineData("3;ext\nabc\r\n0\r\n\r\n")]          // bare LF after an extension
    [InlineData("3;a\rb\r\nabc\r\n0\r\n\r\n")]       // bare CR inside an extension
    [InlineData("3;a\u0001\r\nabc\r\n0\r\n\r\n")]     // control character inside an extension
    [InlineData("3 \r\nabc\r\n0\r\n\r\n")]            // whitespace not followed by ';'
    [InlineData("8000000000000000\r\n")]             // 2^63: beyond a long
    [InlineData("10000000000000000\r\n")]            // 2^64
    [InlineData("+3\r\nabc\r\n0\r\n\r\n")]            // a sign is no hex digit
    public void Rejects_malformed_framing(string input)
    {
        Assert.Equal(-1, Decode(input, 1000).Consumed);
        Assert.Equal(-1, Decode(input, 1).Consumed);
    }

    [Fact]
    public void Bounds_extension_and_trailer_lines()
    {
        Assert.Equal(-1, Decode("1;" + new string('x', 5000) + "\r\na\r\n0\r\n\r\n", 100).Consumed);
        Assert.Equal(-1, Decode("0\r\nX: " + new string('x', 5000) + "\r\n\r\n", 100).Consumed);
    }
}
