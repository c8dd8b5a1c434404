using System.Collections.Concurrent;
using System.Text;
using Microsoft.Net.Http.Headers;

namespace Vigil.Proxy.Http.Upstream.Http1;

/// <summary>What a header name means to the forwarder: copied, framing, or hop-by-hop.</summary>
internal enum HeaderKind : byte
{
    EndToEnd,
    /// <summary>RFC 9110 §7.6.1: meaningful for one connection only, never forwarded.</summary>
    HopByHop,
    ContentLength,
    TransferEncoding,
    Connection,
}

/// <summary>
/// One response header name seen from backends, as a reused string (Kestrel matches its known
/// names by reference first), with the last value seen so a repeated value (Server, Content-Type,
/// the Date of this second) is not allocated again.
/// </summary>
internal sealed class HeaderName
{
    private const int MaxNames = 512; // unknown names beyond this are allocated per use, not cached
    private const int MaxCachedValue = 256;

    private static readonly ConcurrentDictionary<string, HeaderName> Names = new(StringComparer.OrdinalIgnoreCase);
    private static readonly ConcurrentDictionary<string, HeaderName>.AlternateLookup<ReadOnlySpan<char>> ByChars =
        Names.GetAlternateLookup<ReadOnlySpan<char>>();

    private string? _lastValue;

    private HeaderName(string name, HeaderKind kind)
    {
        Name = name;
        Kind = kind;
    }

    public string Name { get; }
    public HeaderKind Kind { get; }

    static HeaderName()
    {
        foreach (var name in (string[])[
                     HeaderNames.AcceptRanges, HeaderNames.Age, HeaderNames.CacheControl, HeaderNames.ContentDisposition,
                     HeaderNames.ContentEncoding, HeaderNames.ContentLanguage, HeaderNames.ContentLocation, HeaderNames.ContentRange,
                     HeaderNames.ContentType, HeaderNames.Date, HeaderNames.ETag, HeaderNames.Expires, HeaderNames.LastModified,
                     HeaderNames.Location, HeaderNames.Pragma, HeaderNames.RetryAfter, HeaderNames.Server, HeaderNames.SetCookie,
                     HeaderNames.Vary, HeaderNames.Via, HeaderNames.WWWAuthenticate, HeaderNames.AccessControlAllowOrigin,
                     HeaderNames.AccessControlAllowCredentials, HeaderNames.AccessControlAllowHeaders, HeaderNames.AccessControlAllowMethods,
                     HeaderNames.AccessControlExposeHeaders, HeaderNames.AccessControlMaxAge, HeaderNames.StrictTransportSecurity,
                     HeaderNames.XContentTypeOptions, HeaderNames.XFrameOptions, HeaderNames.XPoweredBy, HeaderNames.Allow,
                     HeaderNames.Link, HeaderNames.Trailer, HeaderNames.ContentSecurityPolicy, HeaderNames.AltSvc])
            Names[name] = new HeaderName(name, HeaderKind.EndToEnd);
        // RFC 9110 §7.6.1 (and the obsolete Proxy-Connection that clients still send).
        foreach (var name in (string[])[HeaderNames.KeepAlive, HeaderNames.ProxyConnection, HeaderNames.TE, HeaderNames.Upgrade])
            Names[name] = new HeaderName(name, HeaderKind.HopByHop);
        Names[HeaderNames.Connection] = new HeaderName(HeaderNames.Connection, HeaderKind.Connection);
        Names[HeaderNames.ContentLength] = new HeaderName(HeaderNames.ContentLength, HeaderKind.ContentLength);
        Names[HeaderNames.TransferEncoding] = new HeaderName(HeaderNames.TransferEncoding, HeaderKind.TransferEncoding);
    }

    /// <summary>The entry for a validated token (ASCII) name, added on first sight while the table has room.</summary>
    public static HeaderName Get(ReadOnlySpan<byte> name)
    {
        Span<char> chars = stackalloc char[name.Length]; // callers bound names to the head buffer; names are short
        Ascii.ToUtf16(name, chars, out _);
        if (ByChars.TryGetValue(chars, out var known)) return known;
        var created = new HeaderName(new string(chars), HeaderKind.EndToEnd);
        if (Names.Count >= MaxNames) return created;
        return Names.GetOrAdd(created.Name, created);
    }

    /// <summary>The value as a string, reusing the previous one when the bytes are the same.</summary>
    public string Value(ReadOnlySpan<byte> value)
    {
        var last = _lastValue;
        if (last is not null && last.Length == value.Length && Ascii.Equals(value, last)) return last;
        // Latin-1 keeps obs-text octets (RFC 9110 §5.5) one char each, as HttpClient does.
        var decoded = Encoding.Latin1.GetString(value);
        if (decoded.Length <= MaxCachedValue) _lastValue = decoded;
        return decoded;
    }
}
