using System.Buffers.Text;
using System.Text;

namespace Vigil.Proxy.Http.Upstream.Http1;

/// <summary>How the response body is delimited (RFC 9112 §6.3).</summary>
internal enum BodyFraming : byte
{
    None,
    ContentLength,
    Chunked,
    /// <summary>No length and not chunked: the body ends when the backend closes.</summary>
    UntilClose,
}

/// <summary>The result of looking for a response head in the bytes read so far.</summary>
internal enum ParseStatus : byte
{
    Incomplete,
    Done,
    Malformed,
}

/// <summary>
/// A parsed and validated HTTP/1.x response head: status line and header section (RFC 9112 §4, §5).
/// Parsing checks every line once; the headers are then copied from the same bytes by
/// <see cref="ResponseHeaders"/>, so nothing is allocated for a header that is not forwarded.
/// Hand-written because no public API parses an HTTP/1.1 response head from a span (Kestrel's
/// parser is request-only and internal; SocketsHttpHandler's is internal).
/// </summary>
internal struct ResponseHead
{
    public const int MaxNameLength = 256;

    public int Status;
    public bool Http10;
    /// <summary>False when either side asked to close (Connection: close, HTTP/1.0) or framing is doubtful.</summary>
    public bool KeepAlive;
    public BodyFraming Framing;
    public long ContentLength;
    /// <summary>Bytes of the head, final empty line included.</summary>
    public int Length;
    /// <summary>Offset of the first header line.</summary>
    public int HeadersStart;
    /// <summary>Whether Connection named headers other than close/keep-alive, which must then be dropped too (RFC 9110 §7.6.1).</summary>
    public bool ConnectionNamesOthers;

    /// <summary>Parses one head from <paramref name="buffer"/>; <paramref name="requestIsHead"/> decides framing (RFC 9112 §6.3 rule 1).</summary>
    public static ParseStatus TryParse(ReadOnlySpan<byte> buffer, bool requestIsHead, out ResponseHead head)
    {
        head = default;
        var lineEnd = buffer.IndexOf((byte)'\n');
        if (lineEnd < 0) return buffer.Length > 64 * 1024 ? ParseStatus.Malformed : ParseStatus.Incomplete;
        var line = TrimCr(buffer[..lineEnd]);
        // RFC 9112 §4: status-line = HTTP-version SP status-code SP [ reason-phrase ]
        if (line.Length < 12 || !line.StartsWith("HTTP/1."u8) || line[8] != (byte)' ') return ParseStatus.Malformed;
        if (line[7] == (byte)'1') head.Http10 = false;
        else if (line[7] == (byte)'0') head.Http10 = true;
        else return ParseStatus.Malformed;
        var code = line.Slice(9, 3);
        if (!IsDigit(code[0]) || !IsDigit(code[1]) || !IsDigit(code[2])) return ParseStatus.Malformed;
        if (line.Length > 12 && line[12] != (byte)' ') return ParseStatus.Malformed;
        head.Status = (code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
        if (head.Status < 100) return ParseStatus.Malformed;

        head.HeadersStart = lineEnd + 1;
        var keepAlive = !head.Http10;
        var sawLength = false;
        var sawChunked = false;
        var sawTransferEncoding = false;
        var pos = head.HeadersStart;
        while (true)
        {
            var rest = buffer[pos..];
            var end = rest.IndexOf((byte)'\n');
            if (end < 0) return ParseStatus.Incomplete;
            var header = TrimCr(rest[..end]);
            pos += end + 1;
            if (header.IsEmpty) break;
            var status = SplitHeader(header, out var name, out var value);
            if (status != ParseStatus.Done) return status;
            var known = HeaderName.Get(name);
            switch (known.Kind)
            {
                case HeaderKind.ContentLength:
                    // RFC 9112 §6.3 rule 5: differing or unparsable lengths are unrecoverable. A repeated
                    // identical header is allowed by the RFC but is sent by no sane server; treat it as doubt too.
                    // RFC 9110 §8.6: 1*DIGIT only; Utf8Parser alone would also take a sign ("+5", "-0").
                    if (sawLength || value.IsEmpty || value.IndexOfAnyExceptInRange((byte)'0', (byte)'9') >= 0 ||
                        !Utf8Parser.TryParse(value, out long length, out var used) || used != value.Length)
                        return ParseStatus.Malformed;
                    sawLength = true;
                    head.ContentLength = length;
                    break;
                case HeaderKind.TransferEncoding:
                    // Only plain "chunked" is decoded; other transfer codings (gzip, ...) are not forwarded.
                    if (sawTransferEncoding || !Ascii.EqualsIgnoreCase(value, "chunked"u8)) return ParseStatus.Malformed;
                    sawTransferEncoding = sawChunked = true;
                    break;
                case HeaderKind.Connection:
                    foreach (var range in new TokenList(value))
                    {
                        var token = value[range];
                        if (Ascii.EqualsIgnoreCase(token, "close"u8)) keepAlive = false;
                        // HTTP/1.0 keep-alive (RFC 9112 §C.2.2) is not used: such a connection is closed after one exchange.
                        else if (Ascii.EqualsIgnoreCase(token, "keep-alive"u8)) { }
                        else head.ConnectionNamesOthers = true;
                    }
                    break;
            }
        }
        head.Length = pos;

        if (head.Status is >= 100 and < 200 || head.Status is 204 or 304 || requestIsHead) head.Framing = BodyFraming.None;
        else if (sawChunked)
        {
            head.Framing = BodyFraming.Chunked;
            // RFC 9112 §6.3 rule 3: both present smells of smuggling; decode chunked and close afterwards.
            if (sawLength) keepAlive = false;
        }
        else if (sawLength) head.Framing = head.ContentLength == 0 ? BodyFraming.None : BodyFraming.ContentLength;
        else
        {
            head.Framing = BodyFraming.UntilClose;
            keepAlive = false;
        }
        head.KeepAlive = keepAlive;
        return ParseStatus.Done;
    }

    /// <summary>RFC 9112 §5.1: field-name ":" OWS field-value OWS; no space before the colon, no obs-fold (§5.2).</summary>
    internal static ParseStatus SplitHeader(ReadOnlySpan<byte> line, out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        name = value = default;
        var colon = line.IndexOf((byte)':');
        if (colon <= 0 || colon > MaxNameLength) return ParseStatus.Malformed;
        name = line[..colon];
        if (name.IndexOfAnyExcept(TokenChars) >= 0) return ParseStatus.Malformed; // also rejects obs-fold lines (leading SP)
        value = line[(colon + 1)..].Trim(" \t"u8);
        // Control characters other than HTAB are not field content (RFC 9110 §5.5).
        if (value.IndexOfAnyInRange((byte)0, (byte)8) >= 0 || value.IndexOfAnyInRange((byte)10, (byte)31) >= 0 || value.Contains((byte)127))
            return ParseStatus.Malformed;
        return ParseStatus.Done;
    }

    private static readonly System.Buffers.SearchValues<byte> TokenChars =
        System.Buffers.SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8);

    private static ReadOnlySpan<byte> TrimCr(ReadOnlySpan<byte> line) =>
        // RFC 9112 §2.2: a recipient MAY accept a bare LF as the line terminator.
        !line.IsEmpty && line[^1] == (byte)'\r' ? line[..^1] : line;

    private static bool IsDigit(byte b) => (uint)(b - '0') <= 9;
}

/// <summary>The comma-separated tokens of a header value (RFC 9110 §5.6.1), as ranges, without allocating.</summary>
internal ref struct TokenList
{
    private readonly ReadOnlySpan<byte> _value;
    private int _next;

    public TokenList(ReadOnlySpan<byte> value) => _value = value;

    public Range Current { get; private set; }

    public readonly TokenList GetEnumerator() => this;

    public bool MoveNext()
    {
        while (_next < _value.Length)
        {
            var rest = _value[_next..];
            var comma = rest.IndexOf((byte)',');
            var length = comma < 0 ? rest.Length : comma;
            var start = _next;
            _next += length + 1;
            var item = rest[..length];
            var lead = item.Length - item.TrimStart(" \t"u8).Length;
            var trimmed = item.Trim(" \t"u8);
            if (trimmed.IsEmpty) continue;
            Current = new Range(start + lead, start + lead + trimmed.Length);
            return true;
        }
        return false;
    }
}
