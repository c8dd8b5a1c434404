namespace Vigil.Vrrp.Packets;

/// <summary>
/// Decodes a whole IP datagram carrying VRRP (what a raw IPv4 socket receives, or a capture):
/// checks the IP layer the way RFC 9568 §7.1 asks (TTL/hop limit 255, protocol 112), then the message.
/// </summary>
public static class VrrpDatagram
{
    /// <summary>Hop limit every VRRP packet is sent with and must arrive with (RFC 9568 §5.1.1.3).</summary>
    public const byte RequiredTtl = 255;

    /// <summary>
    /// Decodes an IPv4 or IPv6 datagram. On success <paramref name="vrrpOffset"/>/<paramref name="vrrpLength"/>
    /// locate the VRRP message, and the IP addresses are read with <see cref="Ipv4Header.Source(ReadOnlySpan{byte})"/> etc.
    /// </summary>
    public static VrrpDecodeStatus Decode(
        ReadOnlySpan<byte> datagram,
        out VrrpHeader header,
        out VrrpChecksumForm form,
        out int vrrpOffset,
        out int vrrpLength)
    {
        header = default;
        form = VrrpChecksumForm.None;
        vrrpOffset = 0;
        vrrpLength = 0;
        if (datagram.IsEmpty)
        {
            return VrrpDecodeStatus.TooShort;
        }
        ReadOnlySpan<byte> source, destination;
        if (datagram[0] >> 4 == 4)
        {
            if (!Ipv4Header.TryRead(datagram, out var ip))
            {
                return datagram.Length < Ipv4Header.MinLength ? VrrpDecodeStatus.TooShort : VrrpDecodeStatus.BadIpHeader;
            }
            // Fragments (MF set or an offset) are not VRRP adverts we can verify.
            if (!ip.ChecksumValid || ip.TotalLength > datagram.Length || (ip.FlagsAndFragment & 0x3FFF) != 0)
            {
                return VrrpDecodeStatus.BadIpHeader;
            }
            if (ip.Protocol != VrrpCodec.Protocol)
            {
                return VrrpDecodeStatus.BadProtocol;
            }
            if (ip.Ttl != RequiredTtl)
            {
                return VrrpDecodeStatus.BadTtl;
            }
            vrrpOffset = ip.HeaderLength;
            vrrpLength = ip.TotalLength - ip.HeaderLength;
            source = Ipv4Header.Source(datagram);
            destination = Ipv4Header.Destination(datagram);
        }
        else if (datagram[0] >> 4 == 6)
        {
            if (!Ipv6Header.TryRead(datagram, out var ip))
            {
                return VrrpDecodeStatus.TooShort;
            }
            if (Ipv6Header.Length + ip.PayloadLength > datagram.Length)
            {
                return VrrpDecodeStatus.BadIpHeader;
            }
            if (ip.NextHeader != VrrpCodec.Protocol)
            {
                return VrrpDecodeStatus.BadProtocol;
            }
            if (ip.HopLimit != RequiredTtl)
            {
                return VrrpDecodeStatus.BadTtl;
            }
            vrrpOffset = Ipv6Header.Length;
            vrrpLength = ip.PayloadLength;
            source = Ipv6Header.Source(datagram);
            destination = Ipv6Header.Destination(datagram);
        }
        else
        {
            return VrrpDecodeStatus.BadIpHeader;
        }
        return VrrpCodec.Decode(datagram.Slice(vrrpOffset, vrrpLength), source, destination, out header, out form);
    }
}
