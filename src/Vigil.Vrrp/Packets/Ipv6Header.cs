using System.Buffers.Binary;

namespace Vigil.Vrrp.Packets;

/// <summary>The fixed IPv6 header (RFC 8200 §3); addresses stay in the datagram.</summary>
public readonly record struct Ipv6Header
{
    public const int Length = 40;

    public byte TrafficClass { get; init; }
    public uint FlowLabel { get; init; }
    public ushort PayloadLength { get; init; }
    public byte NextHeader { get; init; }
    public byte HopLimit { get; init; }

    public static ReadOnlySpan<byte> Source(ReadOnlySpan<byte> datagram) => datagram.Slice(8, 16);
    public static ReadOnlySpan<byte> Destination(ReadOnlySpan<byte> datagram) => datagram.Slice(24, 16);

    public static bool TryRead(ReadOnlySpan<byte> datagram, out Ipv6Header header)
    {
        header = default;
        if (datagram.Length < Length || datagram[0] >> 4 != 6)
        {
            return false;
        }
        var first = BinaryPrimitives.ReadUInt32BigEndian(datagram);
        header = new Ipv6Header
        {
            TrafficClass = (byte)(first >> 20),
            FlowLabel = first & 0xFFFFF,
            PayloadLength = BinaryPrimitives.ReadUInt16BigEndian(datagram[4..]),
            NextHeader = datagram[6],
            HopLimit = datagram[7],
        };
        return true;
    }

    public static int Write(
        Span<byte> buffer, byte trafficClass, uint flowLabel, ushort payloadLength, byte nextHeader, byte hopLimit,
        ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination)
    {
        var h = buffer[..Length];
        BinaryPrimitives.WriteUInt32BigEndian(h, (6u << 28) | ((uint)trafficClass << 20) | (flowLabel & 0xFFFFF));
        BinaryPrimitives.WriteUInt16BigEndian(h[4..], payloadLength);
        h[6] = nextHeader;
        h[7] = hopLimit;
        source.CopyTo(h[8..]);
        destination.CopyTo(h[24..]);
        return Length;
    }
}
