using System.Buffers.Binary;
using System.Buffers.Text;
using System.Net;
using System.Net.Sockets;

namespace Vigil.Proxy.Tcp;

/// <summary>
/// Writes PROXY protocol headers (haproxy proxy-protocol.txt, v1 §2.1 and v2 §2.2) into a caller's
/// span, so the data path allocates nothing. Written by hand: no maintained .NET library emits it,
/// and it is a few dozen bytes of fixed layout.
/// </summary>
public static class ProxyProtocolWriter
{
    /// <summary>Longest v1 line: "PROXY TCP6 " + 2×39 address chars + 2×5 port digits + 3 spaces + CRLF (§2.1).</summary>
    public const int MaxV1Length = 107;

    /// <summary>Longest v2 header Vigil writes: 16-byte preamble + 36 bytes of AF_INET6 addresses (§2.2).</summary>
    public const int MaxV2Length = 16 + 36;

    /// <summary>The 12-byte v2 signature (§2.2): "\r\n\r\n\0\r\nQUIT\n".</summary>
    public static ReadOnlySpan<byte> V2Signature => [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    /// <summary>Writes the header of the given version; returns the bytes written.</summary>
    public static int Write(ProxyProtocolVersion version, Span<byte> destination, IPEndPoint? source, IPEndPoint? target) => version switch
    {
        ProxyProtocolVersion.V1 => WriteV1(destination, source, target),
        ProxyProtocolVersion.V2 => WriteV2(destination, source, target),
        _ => 0,
    };

    /// <summary>
    /// Writes a v1 line: <c>PROXY TCP4|TCP6 src dst sport dport\r\n</c>, or <c>PROXY UNKNOWN\r\n</c>
    /// when the addresses are missing or of different families (§2.1: a sender that cannot tell
    /// uses UNKNOWN and the receiver keeps the real connection's addresses).
    /// </summary>
    public static int WriteV1(Span<byte> destination, IPEndPoint? source, IPEndPoint? target)
    {
        if (!TryNormalize(source, target, out var src, out var dst))
            return Copy(destination, "PROXY UNKNOWN\r\n"u8);

        var written = Copy(destination, src.AddressFamily == AddressFamily.InterNetwork ? "PROXY TCP4 "u8 : "PROXY TCP6 "u8);
        written += WriteAddress(destination[written..], src);
        destination[written++] = (byte)' ';
        written += WriteAddress(destination[written..], dst);
        destination[written++] = (byte)' ';
        written += WritePort(destination[written..], source!.Port);
        destination[written++] = (byte)' ';
        written += WritePort(destination[written..], target!.Port);
        destination[written++] = (byte)'\r';
        destination[written++] = (byte)'\n';
        return written;
    }

    /// <summary>
    /// Writes a v2 header: version 2 with the PROXY command over AF_INET/AF_INET6 + STREAM, or the
    /// LOCAL command with no addresses when they are missing (§2.2: LOCAL tells the receiver to use
    /// the real connection's addresses, as for health checks).
    /// </summary>
    public static int WriteV2(Span<byte> destination, IPEndPoint? source, IPEndPoint? target)
    {
        V2Signature.CopyTo(destination);
        if (!TryNormalize(source, target, out var src, out var dst))
        {
            destination[12] = 0x20; // version 2, LOCAL
            destination[13] = 0x00; // AF_UNSPEC, UNSPEC
            BinaryPrimitives.WriteUInt16BigEndian(destination[14..], 0);
            return 16;
        }

        destination[12] = 0x21; // version 2, PROXY
        var v4 = src.AddressFamily == AddressFamily.InterNetwork;
        destination[13] = v4 ? (byte)0x11 : (byte)0x21; // AF_INET|AF_INET6 << 4 | STREAM
        var addressLength = v4 ? 4 : 16;
        BinaryPrimitives.WriteUInt16BigEndian(destination[14..], (ushort)(addressLength * 2 + 4));
        var at = 16;
        src.TryWriteBytes(destination[at..], out _);
        at += addressLength;
        dst.TryWriteBytes(destination[at..], out _);
        at += addressLength;
        BinaryPrimitives.WriteUInt16BigEndian(destination[at..], (ushort)source!.Port);
        BinaryPrimitives.WriteUInt16BigEndian(destination[(at + 2)..], (ushort)target!.Port);
        return at + 4;
    }

    /// <summary>
    /// Brings both addresses to one family: IPv4-mapped IPv6 (a dual-stack socket's view of an IPv4
    /// client) becomes IPv4, and a remaining mix becomes IPv6, since the header has one family field.
    /// </summary>
    private static bool TryNormalize(IPEndPoint? source, IPEndPoint? target, out IPAddress src, out IPAddress dst)
    {
        src = dst = IPAddress.None;
        if (source is null || target is null) return false;
        src = source.Address.IsIPv4MappedToIPv6 ? source.Address.MapToIPv4() : source.Address;
        dst = target.Address.IsIPv4MappedToIPv6 ? target.Address.MapToIPv4() : target.Address;
        // A link-local scope ("%eth0") has no place in either header format.
        if (src.AddressFamily == AddressFamily.InterNetworkV6 && src.ScopeId != 0) src = new IPAddress(src.GetAddressBytes());
        if (dst.AddressFamily == AddressFamily.InterNetworkV6 && dst.ScopeId != 0) dst = new IPAddress(dst.GetAddressBytes());
        if (src.AddressFamily == dst.AddressFamily) return IsInet(src);
        if (!IsInet(src) || !IsInet(dst)) return false;
        src = src.MapToIPv6();
        dst = dst.MapToIPv6();
        return true;
    }

    private static bool IsInet(IPAddress a) => a.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6;

    private static int Copy(Span<byte> destination, ReadOnlySpan<byte> text)
    {
        text.CopyTo(destination);
        return text.Length;
    }

    private static int WriteAddress(Span<byte> destination, IPAddress address)
    {
        // IPAddress formats into UTF-8 without allocating (IUtf8SpanFormattable); v6 uses the
        // compressed form, which §2.1 allows ("any valid IPv6 address").
        address.TryFormat(destination, out var written);
        return written;
    }

    private static int WritePort(Span<byte> destination, int port)
    {
        Utf8Formatter.TryFormat(port, destination, out var written);
        return written;
    }
}
