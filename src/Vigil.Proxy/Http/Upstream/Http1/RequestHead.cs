using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Vigil.Proxy.Http.Upstream.Http1;

/// <summary>How the request body is sent to the backend.</summary>
internal enum RequestFraming : byte
{
    None,
    ContentLength,
    /// <summary>Length unknown (the client sent chunked, or HTTP/2 without a length): re-chunked (RFC 9112 §7.1).</summary>
    Chunked,
}

/// <summary>
/// Writes the HTTP/1.1 request head (RFC 9112 §3) straight from Kestrel's request: method, raw
/// target, every header but the hop-by-hop ones (RFC 9110 §7.6.1), Host kept as the client sent it,
/// X-Forwarded-* as the proxy set them, and the body's framing as Vigil decided it.
/// </summary>
internal static class RequestHead
{
    /// <summary>Returned when the destination is too small: the caller retries with a larger buffer.</summary>
    public const int TooSmall = -1;
    /// <summary>Returned when a header value holds CR, LF or NUL and cannot be sent safely.</summary>
    public const int Unsendable = -2;

    public static int Write(HttpRequest request, string rawTarget, string hostFallback, RequestFraming framing, Span<byte> destination)
    {
        var writer = new SpanWriter(destination);
        writer.Ascii(request.Method);
        writer.Byte((byte)' ');
        writer.Ascii(rawTarget);
        writer.Bytes(" HTTP/1.1\r\n"u8);

        var headers = request.Headers;
        var connection = headers.Connection;
        var nominates = ConnectionHeader.NominatesFields(connection);
        var sawHost = false;
        foreach (var (name, values) in headers)
        {
            // The client's framing never goes through: Vigil writes its own below, from what Kestrel
            // parsed, so the backend reads exactly the body Kestrel read (RFC 9112 §6.1, §6.2, §11.2).
            if (IsHopByHop(name) || name.Equals(HeaderNames.ContentLength, StringComparison.OrdinalIgnoreCase)) continue;
            // RFC 9110 §7.6.1: what the client nominates is this hop's, unless it is a field no
            // connection option may remove (HttpProxy refuses such requests; this is the second lock).
            if (nominates && ConnectionHeader.Nominates(connection, name) && !ConnectionHeader.IsProtected(name)) continue;
            if (!sawHost && name.Equals(HeaderNames.Host, StringComparison.OrdinalIgnoreCase)) sawHost = true;
            for (var i = 0; i < values.Count; i++)
            {
                var value = values[i];
                if (value is null) continue;
                if (value.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0) return Unsendable;
                writer.Ascii(name);
                writer.Bytes(": "u8);
                writer.Utf8(value);
                writer.Bytes("\r\n"u8);
            }
        }
        if (!sawHost)
        {
            // RFC 9112 §3.2: a 1.1 request always carries Host; an HTTP/1.0 client may have sent none.
            writer.Bytes("Host: "u8);
            writer.Ascii(hostFallback);
            writer.Bytes("\r\n"u8);
        }
        switch (framing)
        {
            case RequestFraming.ContentLength:
                writer.Bytes("Content-Length: "u8);
                writer.Number(request.ContentLength.GetValueOrDefault());
                writer.Bytes("\r\n"u8);
                break;
            case RequestFraming.Chunked:
                writer.Bytes("Transfer-Encoding: chunked\r\n"u8);
                break;
            // A bodiless request keeps its "Content-Length: 0": a POST without it may meet a 411 (RFC 9110 §8.6).
            case RequestFraming.None when request.ContentLength == 0:
                writer.Bytes("Content-Length: 0\r\n"u8);
                break;
        }
        writer.Bytes("\r\n"u8);
        return writer.Overflowed ? TooSmall : writer.Written;
    }

    /// <summary>RFC 9110 §7.6.1 hop-by-hop fields, and Proxy-Connection which old clients still send.</summary>
    internal static bool IsHopByHop(string name) => name.Length switch
    {
        2 => name.Equals(HeaderNames.TE, StringComparison.OrdinalIgnoreCase),
        7 => name.Equals(HeaderNames.Upgrade, StringComparison.OrdinalIgnoreCase),
        10 => name.Equals(HeaderNames.Connection, StringComparison.OrdinalIgnoreCase) || name.Equals(HeaderNames.KeepAlive, StringComparison.OrdinalIgnoreCase),
        16 => name.Equals(HeaderNames.ProxyConnection, StringComparison.OrdinalIgnoreCase),
        17 => name.Equals(HeaderNames.TransferEncoding, StringComparison.OrdinalIgnoreCase),
        _ => false,
    };

    /// <summary>Appends to a span and remembers, rather than throws, when it runs out of room.</summary>
    private ref struct SpanWriter(Span<byte> destination)
    {
        private readonly Span<byte> _destination = destination;
        public int Written;
        public bool Overflowed;

        public void Byte(byte b)
        {
            if (Written < _destination.Length) _destination[Written++] = b;
            else Overflowed = true;
        }

        public void Number(long value)
        {
            if (System.Buffers.Text.Utf8Formatter.TryFormat(value, _destination[Written..], out var written)) Written += written;
            else Overflowed = true;
        }

        public void Bytes(ReadOnlySpan<byte> bytes)
        {
            if (bytes.TryCopyTo(_destination[Written..])) Written += bytes.Length;
            else Overflowed = true;
        }

        /// <summary>Names, methods and targets: Kestrel only accepts ASCII there.</summary>
        public void Ascii(string text)
        {
            if (Overflowed) return;
            if (System.Text.Ascii.FromUtf16(text, _destination[Written..], out var written) == System.Buffers.OperationStatus.Done) Written += written;
            else if (text.Length > _destination.Length - Written) Overflowed = true;
            else Utf8(text); // non-ASCII target (not expected from Kestrel): send it as UTF-8
        }

        public void Utf8(string text)
        {
            if (Overflowed) return;
            if (Encoding.UTF8.TryGetBytes(text, _destination[Written..], out var written)) Written += written;
            else Overflowed = true;
        }
    }
}
