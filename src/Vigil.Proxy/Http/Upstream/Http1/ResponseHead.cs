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
    /// <summary>Why the head is malformed (a constant, for the one log line), when TryParse said so.</summary>
    public string? Error;

    /// <summary>Parses one head from <paramref name="buffer"/>; <paramref name="requestIsHead"/> decides framing (RFC 9112 §6.3 rule 1).</summary>
    public static ParseStatus TryParse(ReadOnlySpan<byte> buffer, bool requestIsHead, out ResponseHead head)
    {
        head = default;
        var lineEnd = buffer.IndexOf((byte)'\n');
        if (lineEnd < 0) return buffer.Length > 64 * 1024 ? Fail(ref head, "status line too long") : ParseStatus.Incomplete;
        var line = TrimCr(buffer[..lineEnd]);
        // RFC 9112 §4: status-line = HTTP-version SP status-code SP [ reason-phrase ]
        if (line.Length < 12 || !line.StartsWith("HTTP/1."u8) || line[8] != (byte)' ') return Fail(ref head, "malformed status line");
        if (line[7] == (byte)'1') head.Http10 = false;
        else if (line[7] == (byte)'0') head.Http10 = true;
        else return Fail(ref head, "malformed status line");
        var code = line.Slice(9, 3);
        if (!IsDigit(code[0]) || !IsDigit(code[1]) || !IsDigit(code[2])) return Fail(ref head, "malformed status line");
        if (line.Length > 12 && line[12] != (byte)' ') return Fail(ref head, "malformed status line");
        head.Status = (code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
        if (head.Status < 100) return Fail(ref head, "malformed status line");

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
            if (status != ParseStatus.Done) return Fail(ref head, "malformed header line");
            var known = HeaderName.Get(name);
            switch (known.Kind)
            {
                case HeaderKind.ContentLength:
                    // RFC 9112 §6.3 rule 5: differing or unparsable lengths are unrecoverable. A repeated
                    // identical header is allowed by the RFC but is sent by no sane server; treat it as doubt too.
                    if (sawLength) return Fail(ref head, "repeated Content-Length");
                    if (!TryParseLength(value, out var length)) return Fail(ref head, "invalid Content-Length");
                    sawLength = true;
                    head.ContentLength = length;
                    break;
                case HeaderKind.TransferEncoding:
                    // Only plain "chunked" is decoded; other transfer codings (gzip, ...) are not forwarded.
                    if (sawTransferEncoding || !Ascii.EqualsIgnoreCase(value, "chunked"u8)) return Fail(ref head, "unsupported Transfer-Encoding");
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

        // RFC 9112 §6.3 rule 3: both framings "ought to be handled as an error" (a smuggling or
        // splitting attempt). Refused rather than guessed, as nginx does since 1.23: whichever we
        // believed, a peer on either side may believe the other.
        if (sawChunked && sawLength) return Fail(ref head, "both Content-Length and Transfer-Encoding");

        // The framing a GET of this resource would have (RFC 9112 §6.3 rules 4-8).
        var announced = sawChunked ? BodyFraming.Chunked
            : sawLength ? (head.ContentLength == 0 ? BodyFraming.None : BodyFraming.ContentLength)
            : BodyFraming.UntilClose;
        if (head.Status is >= 100 and < 200) head.Framing = BodyFraming.None;
        else if (head.Status is 204 or 304 || requestIsHead)
        {
            // No body follows (rule 1). But a backend that announced one may send it anyway, after the
            // next request went out on this connection, where it would read as that request's answer:
            // close after a HEAD answer that describes a body (RFC 9110 §9.3.2), a 204 with a length or
            // chunked (RFC 9110 §8.6 and RFC 9112 §6.1 forbid both), a 304 that claims chunked. A 304
            // may carry the Content-Length a 200 would have (RFC 9110 §8.6), which keeps the connection.
            head.Framing = BodyFraming.None;
            var doubt = head.Status switch
            {
                204 => sawChunked || sawLength && head.ContentLength > 0,
                304 => sawChunked,
                _ => announced != BodyFraming.None,
            };
            if (doubt) keepAlive = false;
        }
        else
        {
            head.Framing = announced;
            // Rule 8: no length and not chunked: the body ends when the backend closes.
            if (announced == BodyFraming.UntilClose) keepAlive = false;
        }
        head.KeepAlive = keepAlive;
        return ParseStatus.Done;
    }

    /// <summary>RFC 9110 §8.6: Content-Length = 1*DIGIT. No sign, space, hex or list; leading zeros allowed; at most 18 significant digits (a long).</summary>
    internal static bool TryParseLength(ReadOnlySpan<byte> value, out long length)
    {
        length = 0;
        if (value.IsEmpty || value.IndexOfAnyExceptInRange((byte)'0', (byte)'9') >= 0) return false;
        var significant = value.TrimStart((byte)'0');
        if (significant.Length > 18) return false;
        foreach (var digit in significant) length = length * 10 + (digit - '0');
        return true;
    }

    private static ParseStatus Fail(ref ResponseHead head, string error)
    {
        head.Error = error;
        return ParseStatus.Malformed;
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
