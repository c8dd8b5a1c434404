using System.Buffers.Binary;
using System.Buffers.Text;
using System.Net;
using System.Net.Sockets;

namespace Vigil.Proxy.Tcp;

/// <summary>What <see cref="ProxyProtocolReader.TryParse"/> made of the bytes received so far.</summary>
public enum ProxyParseStatus
{
    /// <summary>A valid prefix of a header; receive more bytes.</summary>
    Incomplete,
    /// <summary>A complete, valid header.</summary>
    Done,
    /// <summary>Not a PROXY header, or a malformed one: close the connection.</summary>
    Invalid,
}

/// <summary>
/// Parses PROXY protocol v1 and v2 headers (haproxy proxy-protocol.txt) from the first bytes of a
/// connection, for listeners behind another balancer (<c>accept_proxy: true</c>). Pure and
/// allocation-free except for the two endpoints it returns; every length is bounded so a hostile
/// peer cannot make it buffer without limit.
/// </summary>
public static class ProxyProtocolReader
{
    /// <summary>v2 headers longer than this (addresses + TLVs) are refused; Vigil reads no TLV and 216 bytes fit AF_UNIX.</summary>
    public const int MaxV2PayloadLength = 1024;

    /// <summary>The largest number of bytes a valid header can take, so callers can size one buffer.</summary>
    public const int MaxHeaderLength = 16 + MaxV2PayloadLength;

    /// <summary>
    /// Parses a header at the start of <paramref name="data"/>. On <see cref="ProxyParseStatus.Done"/>,
    /// <paramref name="consumed"/> is the header's length; bytes after it belong to the client's stream.
    /// </summary>
    public static ProxyParseStatus TryParse(ReadOnlySpan<byte> data, out ProxyHeader header, out int consumed)
    {
        header = default;
        consumed = 0;
        if (data.IsEmpty) return ProxyParseStatus.Incomplete;
        return data[0] == (byte)'P' ? ParseV1(data, out header, out consumed) : ParseV2(data, out header, out consumed);
    }

    // §2.1: "PROXY" SP ("TCP4" | "TCP6" | "UNKNOWN") [SP src SP dst SP sport SP dport] CRLF, at most 107 bytes.
    private static ProxyParseStatus ParseV1(ReadOnlySpan<byte> data, out ProxyHeader header, out int consumed)
    {
        header = default;
        consumed = 0;
        ReadOnlySpan<byte> prefix = "PROXY "u8;
        var check = Math.Min(data.Length, prefix.Length);
        if (!data[..check].SequenceEqual(prefix[..check])) return ProxyParseStatus.Invalid;

        var window = data[..Math.Min(data.Length, ProxyProtocolWriter.MaxV1Length)];
        // The line ends at its first CR, which must be followed by LF; an LF before it is not part of
        // any valid line. Looking for both at once keeps the verdict the same however the bytes are
        // split across reads (found by fuzzing: a later CR used to pull a bare LF into the line).
        var cr = window.IndexOfAny((byte)'\r', (byte)'\n');
        if (cr >= 0 && window[cr] == (byte)'\n') return ProxyParseStatus.Invalid;
        if (cr < 0)
            return data.Length >= ProxyProtocolWriter.MaxV1Length ? ProxyParseStatus.Invalid : ProxyParseStatus.Incomplete;
        if (cr + 1 >= window.Length)
            return data.Length >= ProxyProtocolWriter.MaxV1Length ? ProxyParseStatus.Invalid : ProxyParseStatus.Incomplete;
        if (window[cr + 1] != (byte)'\n') return ProxyParseStatus.Invalid;

        var line = window[prefix.Length..cr];
        consumed = cr + 2;
        // §2.1: with UNKNOWN the receiver must ignore anything up to CRLF.
        if (line.StartsWith("UNKNOWN"u8) && (line.Length == 7 || line[7] == (byte)' ')) return ProxyParseStatus.Done;

        AddressFamily family;
        if (line.StartsWith("TCP4 "u8)) family = AddressFamily.InterNetwork;
        else if (line.StartsWith("TCP6 "u8)) family = AddressFamily.InterNetworkV6;
        else return ProxyParseStatus.Invalid;
        line = line[5..];

        if (!NextField(ref line, out var srcText) || !NextField(ref line, out var dstText) ||
            !NextField(ref line, out var sportText) || !NextField(ref line, out var dportText) || !line.IsEmpty)
            return ProxyParseStatus.Invalid;
        if (!TryParseAddress(srcText, family, out var src) || !TryParseAddress(dstText, family, out var dst) ||
            !TryParsePort(sportText, out var sport) || !TryParsePort(dportText, out var dport))
            return ProxyParseStatus.Invalid;

        header = new ProxyHeader(new IPEndPoint(src, sport), new IPEndPoint(dst, dport));
        return ProxyParseStatus.Done;
    }

    // §2.2: 12-byte signature, ver_cmd, fam, 16-bit big-endian length, then addresses and TLVs.
    private static ProxyParseStatus ParseV2(ReadOnlySpan<byte> data, out ProxyHeader header, out int consumed)
    {
        header = default;
        consumed = 0;
        var signature = ProxyProtocolWriter.V2Signature;
        var check = Math.Min(data.Length, signature.Length);
        if (!data[..check].SequenceEqual(signature[..check])) return ProxyParseStatus.Invalid;
        if (data.Length >= 13 && data[12] >> 4 != 2) return ProxyParseStatus.Invalid; // version must be 2
        if (data.Length >= 13 && (data[12] & 0x0F) > 1) return ProxyParseStatus.Invalid; // LOCAL or PROXY only
        if (data.Length < 16) return ProxyParseStatus.Incomplete;

        var length = BinaryPrimitives.ReadUInt16BigEndian(data[14..]);
        if (length > MaxV2PayloadLength) return ProxyParseStatus.Invalid;
        if (data.Length < 16 + length) return ProxyParseStatus.Incomplete;
        consumed = 16 + length;

        var command = data[12] & 0x0F;
        var family = data[13] >> 4;
        var transport = data[13] & 0x0F;
        var payload = data.Slice(16, length);
        // §2.2: LOCAL means the connection was made by the proxy itself (a health check); the
        // receiver must ignore the address block and use the real connection's endpoints.
        if (command == 0) return ProxyParseStatus.Done;
        if (family > 3 || transport > 2) return ProxyParseStatus.Invalid;

        switch (family)
        {
            case 1: // AF_INET
                if (payload.Length < 12) return ProxyParseStatus.Invalid;
                header = new ProxyHeader(
                    new IPEndPoint(new IPAddress(payload[..4]), BinaryPrimitives.ReadUInt16BigEndian(payload[8..])),
                    new IPEndPoint(new IPAddress(payload[4..8]), BinaryPrimitives.ReadUInt16BigEndian(payload[10..])));
                return ProxyParseStatus.Done;
            case 2: // AF_INET6
                if (payload.Length < 36) return ProxyParseStatus.Invalid;
                header = new ProxyHeader(
                    new IPEndPoint(new IPAddress(payload[..16]), BinaryPrimitives.ReadUInt16BigEndian(payload[32..])),
                    new IPEndPoint(new IPAddress(payload[16..32]), BinaryPrimitives.ReadUInt16BigEndian(payload[34..])));
                return ProxyParseStatus.Done;
            case 3: // AF_UNIX: 2×108 bytes of paths; nothing Vigil can relay, so treated like UNSPEC.
                return payload.Length < 216 ? ProxyParseStatus.Invalid : ProxyParseStatus.Done;
            default: // AF_UNSPEC: §2.2 says the receiver must accept it and use the real addresses.
                return ProxyParseStatus.Done;
        }
    }

    private static bool NextField(ref ReadOnlySpan<byte> line, out ReadOnlySpan<byte> field)
    {
        var space = line.IndexOf((byte)' ');
        if (space == 0) { field = default; return false; } // §2.1: exactly one space between fields
        if (space < 0) { field = line; line = default; return !field.IsEmpty; }
        field = line[..space];
        line = line[(space + 1)..];
        return !line.IsEmpty;
    }

    private static bool TryParseAddress(ReadOnlySpan<byte> text, AddressFamily family, out IPAddress address)
    {
        address = IPAddress.None;
        if (text.Length > 45) return false;
        Span<char> chars = stackalloc char[text.Length];
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            // Only address characters: IPAddress.TryParse alone would accept a v6 scope ("%eth0").
            if (!(char.IsAsciiHexDigit((char)c) || c is (byte)'.' or (byte)':')) return false;
            chars[i] = (char)c;
        }
        // TCP4 takes the dotted quad only (§2.1); IPAddress.TryParse also accepts "1" or "1.2".
        if (family == AddressFamily.InterNetwork && text.Count((byte)'.') != 3) return false;
        return IPAddress.TryParse(chars, out address!) && address.AddressFamily == family;
    }

    private static bool TryParsePort(ReadOnlySpan<byte> text, out int port)
    {
        port = 0;
        // §2.1: decimal, 0–65535, no leading zero.
        if (text.Length is 0 or > 5 || (text.Length > 1 && text[0] == (byte)'0')) return false;
        foreach (var c in text)
            if (!char.IsAsciiDigit((char)c)) return false;
        return Utf8Parser.TryParse(text, out port, out _) && port <= 65535;
    }
}
