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

    private enum State : byte { Size, Extension, SizeLf, Data, DataCr, DataLf, Trailer, TrailerLf, Done }

    private State _state;
    private long _remaining;
    private int _sizeDigits;
    private int _lineLength;

    public readonly bool IsDone => _state == State.Done;

    /// <summary>
    /// Consumes <paramref name="input"/> and writes the data it holds to <paramref name="output"/>.
    /// Returns the bytes consumed (less than the input only once the body is done), or -1 if malformed.
    /// </summary>
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
                        if (++_sizeDigits > 15) return -1; // more than 2^60 bytes: an overflow attempt
                        _remaining = _remaining * 16 + digit;
                        pos++;
                        break;
                    }
                    if (_sizeDigits == 0) return -1;
                    if (b == (byte)'\r') _state = State.SizeLf;
                    else if (b == (byte)';' || b == (byte)' ' || b == (byte)'\t') _state = State.Extension; // RFC 9112 §7.1.1 (BWS before ';')
                    else if (b == (byte)'\n') { pos--; _state = State.SizeLf; }
                    else return -1;
                    pos++;
                    break;
                case State.Extension:
                    // Extensions are ignored (RFC 9112 §7.1.1); the line is bounded.
                    var lf = input[pos..].IndexOf((byte)'\n');
                    var take = lf < 0 ? input.Length - pos : lf;
                    _lineLength += take;
                    if (_lineLength > MaxLineLength) return -1;
                    pos += take;
                    if (lf >= 0) _state = State.SizeLf;
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
                    if (b == (byte)'\r') { _state = State.DataLf; pos++; }
                    else if (b == (byte)'\n') _state = State.DataLf;
                    else return -1;
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
