using System.Buffers;
using Vigil.Proxy.Http.Upstream.Http1;
using static Vigil.Fuzz.InvariantException;

namespace Vigil.Fuzz;

/// <summary>
/// A chunked body (RFC 9112 §7.1) → <see cref="ChunkedDecoder"/>, once whole and once in pieces as
/// reads deliver it: both must agree on the data, the bytes consumed and the outcome.
/// Input: byte 0 picks the piece size (1–32); the rest is the body.
/// </summary>
internal static class ChunkedTarget
{
    public static void Run(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty) return;
        var pieceSize = 1 + input[0] % 32;
        var body = input[1..];
        var (wholeConsumed, wholeDone, wholeData) = DecodeWhole(body);

        var decoder = new ChunkedDecoder();
        var data = new ArrayBufferWriter<byte>();
        var consumed = 0;
        while (consumed < body.Length && !decoder.IsDone)
        {
            var piece = body.Slice(consumed, Math.Min(pieceSize, body.Length - consumed));
            var n = decoder.Decode(piece, data);
            if (n < 0) { consumed = -1; break; }
            Check(n <= piece.Length, "consumed more than it was given");
            Check(n == piece.Length || decoder.IsDone, "stopped short of the input before the body's end");
            consumed += n;
        }
        Check(consumed == wholeConsumed, $"in pieces of {pieceSize}: consumed {consumed}, whole: {wholeConsumed}");
        Check(consumed < 0 || decoder.IsDone == wholeDone, "in pieces the body ends elsewhere");
        Check(consumed < 0 || data.WrittenSpan.SequenceEqual(wholeData), "in pieces the data differs");
    }

    /// <summary>Decodes <paramref name="body"/> in one call; checks what holds for any input.</summary>
    public static (int Consumed, bool Done, byte[] Data) DecodeWhole(ReadOnlySpan<byte> body)
    {
        var decoder = new ChunkedDecoder();
        var data = new ArrayBufferWriter<byte>();
        var n = decoder.Decode(body, data);
        Check(n >= -1 && n <= body.Length, $"returned {n} for {body.Length} bytes");
        Check(n < 0 || n == body.Length || decoder.IsDone, "stopped short of the input before the body's end");
        Check(data.WrittenCount <= body.Length, "wrote more data than it read");
        return (n, decoder.IsDone, data.WrittenSpan.ToArray());
    }
}
