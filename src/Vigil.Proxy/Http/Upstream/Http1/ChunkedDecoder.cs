using System.Buffers;

namespace Vigil.Proxy.Http.Upstream.Http1;

/// <summary>
/// Decodes a chunked body (RFC 9112 §7.1) incrementally, writing the chunk data and dropping the
/// framing, extensions and trailer section (trailers are not forwarded). Hand-written because
/// .NET's decoders are internal to SocketsHttpHandler and Kestrel.
/// </summary>
internal struct ChunkedDecoder
{
    private const int MaxLineLength = 4096; // a chunk-size line with extensions, or one trailer line
    private const int MaxSizeDigits = 15;   // significant hex digits: 2^60 bytes, far beyond any body, far from overflow

    private enum State : byte { Size, SizeBws, Extension, SizeLf, Data, DataCr, DataLf, Trailer, TrailerLf, Done }

    private State _state;
    private long _remaining;
    private int _sizeDigits;
    private int _lineLength;

    public readonly bool IsDone => _state == State.Done;

    /// <summary>
    /// Consumes <paramref name="input"/> and writes the data it holds to <paramref name="output"/>.
    /// Returns the bytes consumed (less than the input only once the body is done), or -1 if malformed.
    /// </summary>
    /// <remarks>
    /// The chunk framing is held to RFC 9112 §7.1 exactly: hex digits, optional extensions after
    /// BWS and ';', CRLF (no bare LF, no bare CR: a peer reading the same bytes more leniently would
    /// see different chunks). Only trailer field lines get §2.2's bare-LF tolerance; they are dropped.
    /// </remarks>
    public int Decode(ReadOnlySpan<byte> input, IBufferWriter<byte> output)
    {
        var pos = 0;
        while (pos < input.Length && _state != State.Done)
        {
            var b = input[pos];
            switch (_state)
            {
                case State.Size:
                    var digit = HexValue(b);
                    if (digit >= 0)
                    {
                        // Leading zeros are digits too, but not towards the overflow bound.
                        if ((_sizeDigits > 0 || digit > 0) && ++_sizeDigits > MaxSizeDigits) return -1;
                        if (++_lineLength > MaxLineLength) return -1;
                        _remaining = _remaining * 16 + digit;
                        pos++;
                        break;
                    }
                    if (_lineLength == 0) return -1; // no size at all
                    if (b == (byte)'\r') _state = State.SizeLf;
                    else if (b == (byte)';') _state = State.Extension;
                    else if (b == (byte)' ' || b == (byte)'\t') _state = State.SizeBws; // RFC 9112 §7.1.1: BWS before ';'
                    else return -1;
                    pos++;
                    break;
                case State.SizeBws:
                    if (b == (byte)';') _state = State.Extension;
                    else if (b != (byte)' ' && b != (byte)'\t') return -1;
                    if (++_lineLength > MaxLineLength) return -1;
                    pos++;
                    break;
                case State.Extension:
                    // Extensions are ignored (RFC 9112 §7.1.1), but must be field text up to CRLF; the line is bounded.
                    if (b == (byte)'\r') _state = State.SizeLf;
                    else if (b == (byte)'\n' || (b < 0x20 && b != (byte)'\t') || b == 0x7F) return -1;
                    if (++_lineLength > MaxLineLength) return -1;
                    pos++;
                    break;
                case State.SizeLf:
                    if (b != (byte)'\n') return -1;
                    pos++;
                    _lineLength = 0;
                    _sizeDigits = 0;
                    _state = _remaining == 0 ? State.Trailer : State.Data;
                    break;
                case State.Data:
                    var count = (int)Math.Min(_remaining, input.Length - pos);
                    output.Write(input.Slice(pos, count));
                    pos += count;
                    _remaining -= count;
                    if (_remaining == 0) _state = State.DataCr;
                    break;
                case State.DataCr:
                    if (b != (byte)'\r') return -1;
                    _state = State.DataLf;
                    pos++;
                    break;
                case State.DataLf:
                    if (b != (byte)'\n') return -1;
                    pos++;
                    _state = State.Size;
                    break;
                case State.Trailer:
                    // Each trailer line is skipped; an empty line ends the body (RFC 9112 §7.1.2).
                    if (_lineLength == 0 && b == (byte)'\r') { pos++; _state = State.TrailerLf; break; }
                    if (_lineLength == 0 && b == (byte)'\n') { pos++; _state = State.Done; break; }
                    var end = input[pos..].IndexOf((byte)'\n');
                    var skip = end < 0 ? input.Length - pos : end + 1;
                    _lineLength += skip;
                    if (_lineLength > MaxLineLength) return -1;
                    pos += skip;
                    if (end >= 0) _lineLength = 0;
                    break;
                case State.TrailerLf:
                    if (b != (byte)'\n') return -1;
                    pos++;
                    _state = State.Done;
                    break;
            }
        }
        return pos;
    }

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };
}
