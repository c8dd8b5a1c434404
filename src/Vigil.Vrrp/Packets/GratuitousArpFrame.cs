using System.Buffers.Binary;

namespace Vigil.Vrrp.Packets;

/// <summary>
/// Builds the gratuitous ARP frame a new master broadcasts for each IPv4 virtual address (RFC 9568 §6.4.1 (3)):
/// an ARP request (RFC 5227 §3 "ARP Announcement") with sender and target protocol address both the VIP,
/// the same bytes keepalived sends (target hardware address all ones).
/// </summary>
public static class GratuitousArpFrame
{
    public const int Length = 42;
    public const ushort EtherTypeArp = 0x0806;

    /// <summary>
    /// Writes the 42-byte Ethernet frame (no padding: the NIC pads) and returns its length. <paramref name="reply"/>
    /// writes an unsolicited ARP reply (op 2) instead: no host answers a reply, so a crashed master whose kernel
    /// still holds the address cannot answer it and pull the virtual MAC back to its switch port.
    /// </summary>
    public static int Write(Span<byte> frame, ReadOnlySpan<byte> senderMac, ReadOnlySpan<byte> address, bool reply = false)
    {
        if (senderMac.Length != 6 || address.Length != 4)
        {
            throw new ArgumentException("MAC is 6 bytes, IPv4 address 4 bytes");
        }
        var f = frame[..Length];
        f[..6].Fill(0xFF); // Ethernet broadcast
        senderMac.CopyTo(f[6..]);
        BinaryPrimitives.WriteUInt16BigEndian(f[12..], EtherTypeArp);
        BinaryPrimitives.WriteUInt16BigEndian(f[14..], 1);      // htype Ethernet
        BinaryPrimitives.WriteUInt16BigEndian(f[16..], 0x0800); // ptype IPv4
        f[18] = 6;
        f[19] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(f[20..], reply ? (ushort)2 : (ushort)1); // op: request (RFC 5227 announcement) or reply
        senderMac.CopyTo(f[22..]);
        address.CopyTo(f[28..]);
        f.Slice(32, 6).Fill(0xFF);
        address.CopyTo(f[38..]);
        return Length;
    }
}
