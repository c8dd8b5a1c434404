using System.Buffers.Binary;

namespace Vigil.Vrrp.Packets;

/// <summary>
/// Builds the unsolicited Neighbor Advertisement (RFC 4861 §7.2.6) a new master sends for each IPv6 virtual
/// address (RFC 9568 §6.4.1): from the VIP to all-nodes ff02::1, hop limit 255, Override set, Router and
/// Solicited clear, with the target link-layer address option. Same bytes as keepalived.
/// </summary>
public static class NeighborAdvertisementFrame
{
    public const int Length = 86;
    private const int IcmpLength = 32;

    private static ReadOnlySpan<byte> AllNodes => [0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];

    public static int Write(Span<byte> frame, ReadOnlySpan<byte> senderMac, ReadOnlySpan<byte> target, bool router = false)
    {
        if (senderMac.Length != 6 || target.Length != 16)
        {
            throw new ArgumentException("MAC is 6 bytes, IPv6 address 16 bytes");
        }
        var f = frame[..Length];
        // Ethernet: 33:33 + low 32 bits of ff02::1 (RFC 2464 §7).
        f[0] = 0x33; f[1] = 0x33; f[2] = 0; f[3] = 0; f[4] = 0; f[5] = 1;
        senderMac.CopyTo(f[6..]);
        BinaryPrimitives.WriteUInt16BigEndian(f[12..], 0x86DD);
        var ip = f[14..];
        Ipv6Header.Write(ip, 0, 0, IcmpLength, 58, 255, target, AllNodes);
        var icmp = ip.Slice(Ipv6Header.Length, IcmpLength);
        icmp[0] = 136;
        icmp[1] = 0;
        icmp[2] = 0;
        icmp[3] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(icmp[4..], (router ? 0x8000_0000u : 0) | 0x2000_0000u); // R, S=0, O=1
        target.CopyTo(icmp[8..]);
        icmp[24] = 2; // option: target link-layer address
        icmp[25] = 1; // length in units of 8 bytes
        senderMac.CopyTo(icmp[26..]);

        // RFC 4443 §2.3: checksum over the IPv6 pseudo-header and the ICMPv6 message.
        var c = new InternetChecksum();
        c.Add(target);
        c.Add(AllNodes);
        c.AddUInt32(IcmpLength);
        c.AddUInt16(58);
        c.Add(icmp);
        BinaryPrimitives.WriteUInt16BigEndian(icmp[2..], c.Finish());
        return Length;
    }
}
