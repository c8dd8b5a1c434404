using System.Buffers.Binary;

namespace Vigil.Vrrp.Packets;

/// <summary>
/// An IPv4 header (RFC 791) as a raw socket delivers it, and as we write it with IP_HDRINCL.
/// Addresses stay in the datagram: <see cref="Source"/>/<see cref="Destination"/> slice the buffer.
/// </summary>
public readonly record struct Ipv4Header
{
    public const int MinLength = 20;

    public int HeaderLength { get; init; }
    public byte Tos { get; init; }
    public ushort TotalLength { get; init; }
    public ushort Identification { get; init; }
    public ushort FlagsAndFragment { get; init; }
    public byte Ttl { get; init; }
    public byte Protocol { get; init; }
    public ushort Checksum { get; init; }
    public bool ChecksumValid { get; init; }

    public static ReadOnlySpan<byte> Source(ReadOnlySpan<byte> datagram) => datagram.Slice(12, 4);
    public static ReadOnlySpan<byte> Destination(ReadOnlySpan<byte> datagram) => datagram.Slice(16, 4);

    /// <summary>Parses the header; false when it is not a well-formed IPv4 header for this buffer.</summary>
    public static bool TryRead(ReadOnlySpan<byte> datagram, out Ipv4Header header)
    {
        header = default;
        if (datagram.Length < MinLength || datagram[0] >> 4 != 4)
        {
            return false;
        }
        var ihl = (datagram[0] & 0x0F) * 4;
        var total = BinaryPrimitives.ReadUInt16BigEndian(datagram[2..]);
        if (ihl < MinLength || datagram.Length < ihl || total < ihl)
        {
            return false;
        }
        header = new Ipv4Header
        {
            HeaderLength = ihl,
            Tos = datagram[1],
            TotalLength = total,
            Identification = BinaryPrimitives.ReadUInt16BigEndian(datagram[4..]),
            FlagsAndFragment = BinaryPrimitives.ReadUInt16BigEndian(datagram[6..]),
            Ttl = datagram[8],
            Protocol = datagram[9],
            Checksum = BinaryPrimitives.ReadUInt16BigEndian(datagram[10..]),
            ChecksumValid = InternetChecksum.Compute(datagram[..ihl]) == 0,
        };
        return true;
    }

    /// <summary>Writes a 20-byte header (no options) with its checksum; returns 20.</summary>
    public static int Write(
        Span<byte> buffer, byte tos, ushort totalLength, ushort identification, byte ttl, byte protocol,
        ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination, ushort flagsAndFragment = 0)
    {
        var h = buffer[..MinLength];
        h[0] = 0x45;
        h[1] = tos;
        BinaryPrimitives.WriteUInt16BigEndian(h[2..], totalLength);
        BinaryPrimitives.WriteUInt16BigEndian(h[4..], identification);
        BinaryPrimitives.WriteUInt16BigEndian(h[6..], flagsAndFragment);
        h[8] = ttl;
        h[9] = protocol;
        h[10] = 0;
        h[11] = 0;
        source.CopyTo(h[12..]);
        destination.CopyTo(h[16..]);
        BinaryPrimitives.WriteUInt16BigEndian(h[10..], InternetChecksum.Compute(h));
        return MinLength;
    }
}
