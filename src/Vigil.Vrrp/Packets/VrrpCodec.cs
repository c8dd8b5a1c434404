using System.Buffers.Binary;

namespace Vigil.Vrrp.Packets;

/// <summary>
/// Encodes and decodes VRRP advertisements: v3 (RFC 9568 §5) over IPv4 and IPv6, v2 (RFC 3768 §5) over IPv4.
/// Works on spans of the IP payload; the IP source and destination (4 or 16 bytes) are passed in for the
/// v3 pseudo-header. Never throws on input: malformed messages yield a <see cref="VrrpDecodeStatus"/>.
/// </summary>
public static class VrrpCodec
{
    public const byte Protocol = 112;

    /// <summary>
    /// Decodes and verifies a VRRP message. <paramref name="source"/> and <paramref name="destination"/>
    /// are the IP addresses of the datagram (4 bytes for IPv4, 16 for IPv6).
    /// </summary>
    public static VrrpDecodeStatus Decode(
        ReadOnlySpan<byte> message,
        ReadOnlySpan<byte> source,
        ReadOnlySpan<byte> destination,
        out VrrpHeader header,
        out VrrpChecksumForm form)
    {
        header = default;
        form = VrrpChecksumForm.None;
        if (message.Length < VrrpHeader.FixedLength)
        {
            return VrrpDecodeStatus.TooShort;
        }
        var alen = source.Length;
        if ((alen != 4 && alen != 16) || destination.Length != alen)
        {
            return VrrpDecodeStatus.WrongFamily;
        }

        var version = (byte)(message[0] >> 4);
        var type = (byte)(message[0] & 0x0F);
        if (version is not (2 or 3) || (version == 2 && alen != 4))
        {
            return VrrpDecodeStatus.BadVersion;
        }
        if (type != VrrpHeader.AdvertisementType)
        {
            return VrrpDecodeStatus.BadType;
        }

        header = new VrrpHeader
        {
            Version = version,
            Type = type,
            Vrid = message[1],
            Priority = message[2],
            CountIp = message[3],
            // RFC 9568 §5.2.7: 4 reserved bits then a 12-bit interval in centiseconds.
            Interval = version == 3 ? (ushort)(BinaryPrimitives.ReadUInt16BigEndian(message[4..]) & 0x0FFF) : message[5],
            AuthType = version == 2 ? message[4] : (byte)0,
            Checksum = BinaryPrimitives.ReadUInt16BigEndian(message[6..]),
        };
        var expected = header.MessageLength(alen);
        if (message.Length < expected)
        {
            return VrrpDecodeStatus.TooShort;
        }
        if (message.Length > expected)
        {
            return VrrpDecodeStatus.BadLength;
        }
        if (version == 2)
        {
            header = header with { AuthData = BinaryPrimitives.ReadUInt64BigEndian(message[^8..]) };
        }

        // A correct checksum makes the folded sum over the covered bytes, field included, all ones.
        if (version == 2)
        {
            if (InternetChecksum.Compute(message) != 0)
            {
                return VrrpDecodeStatus.BadChecksum;
            }
            form = VrrpChecksumForm.V2Message;
            return VrrpDecodeStatus.Ok;
        }
        if (PseudoHeaderChecksum(message, source, destination) == 0)
        {
            form = VrrpChecksumForm.V3PseudoHeader;
            return VrrpDecodeStatus.Ok;
        }
        if (alen == 4 && InternetChecksum.Compute(message) == 0)
        {
            form = VrrpChecksumForm.V3WithoutPseudoHeader;
            return VrrpDecodeStatus.Ok;
        }
        return VrrpDecodeStatus.BadChecksum;
    }

    /// <summary>The address list of a decoded message (count × 4 or 16 bytes).</summary>
    public static ReadOnlySpan<byte> Addresses(ReadOnlySpan<byte> message, in VrrpHeader header, int addressLength) =>
        message.Slice(VrrpHeader.FixedLength, header.CountIp * addressLength);

    /// <summary>
    /// Writes an advertisement into <paramref name="destinationBuffer"/> and returns its length.
    /// <paramref name="addresses"/> is the concatenated address list; CountIp and Checksum of
    /// <paramref name="header"/> are ignored and computed. <paramref name="form"/> picks the checksum
    /// (v2 always uses <see cref="VrrpChecksumForm.V2Message"/>).
    /// </summary>
    public static int Encode(
        Span<byte> destinationBuffer,
        in VrrpHeader header,
        ReadOnlySpan<byte> addresses,
        ReadOnlySpan<byte> source,
        ReadOnlySpan<byte> destination,
        VrrpChecksumForm form)
    {
        var alen = source.Length;
        if (alen is not (4 or 16) || destination.Length != alen || addresses.Length % alen != 0)
        {
            throw new ArgumentException("addresses must be 4 or 16 bytes each, one family");
        }
        var count = addresses.Length / alen;
        if (count > 255)
        {
            throw new ArgumentException("at most 255 addresses");
        }
        var length = VrrpHeader.FixedLength + addresses.Length + (header.Version == 2 ? VrrpHeader.V2AuthLength : 0);
        var m = destinationBuffer[..length];
        m[0] = (byte)((header.Version << 4) | VrrpHeader.AdvertisementType);
        m[1] = header.Vrid;
        m[2] = header.Priority;
        m[3] = (byte)count;
        if (header.Version == 2)
        {
            m[4] = header.AuthType;
            m[5] = (byte)header.Interval;
        }
        else
        {
            BinaryPrimitives.WriteUInt16BigEndian(m[4..], (ushort)(header.Interval & 0x0FFF));
        }
        m[6] = 0;
        m[7] = 0;
        addresses.CopyTo(m[VrrpHeader.FixedLength..]);
        if (header.Version == 2)
        {
            BinaryPrimitives.WriteUInt64BigEndian(m[^8..], header.AuthData);
        }

        var checksum = header.Version == 2 || (form == VrrpChecksumForm.V3WithoutPseudoHeader && alen == 4)
            ? InternetChecksum.Compute(m)
            : PseudoHeaderChecksum(m, source, destination);
        BinaryPrimitives.WriteUInt16BigEndian(m[6..], checksum);
        return length;
    }

    // RFC 9568 §5.2.8: the pseudo-header of RFC 8200 §8.1 (IPv6) or RFC 768 style (IPv4: src, dst, zero, protocol, length).
    private static ushort PseudoHeaderChecksum(ReadOnlySpan<byte> message, ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination)
    {
        var c = new InternetChecksum();
        c.Add(source);
        c.Add(destination);
        if (source.Length == 4)
        {
            c.AddUInt16(Protocol);
            c.AddUInt16((ushort)message.Length);
        }
        else
        {
            c.AddUInt32((uint)message.Length);
            c.AddUInt16(Protocol);
        }
        c.Add(message);
        return c.Finish();
    }
}
