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

    [Fact]
    public void Accepts_bare_line_feeds()
    {
        var (data, _, done) = Decode("3\nabc\n0\n\n", 1);
        Assert.Equal("abc", data);
        Assert.True(done);
    }

    [Theory]
    [InlineData("zz\r\nhello\r\n0\r\n\r\n")]        // not hex
    [InlineData("\r\nhello\r\n0\r\n\r\n")]          // no size
    [InlineData("3\r\nabcd\r\n0\r\n\r\n")]          // data longer than its size
    [InlineData("1000000000000000\r\n")]            // 16 hex digits: overflow attempt
    [InlineData("3\rxabc\r\n0\r\n\r\n")]            // CR not followed by LF
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
