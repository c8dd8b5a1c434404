using System.Buffers.Binary;

namespace Vigil.Vrrp.Packets;

/// <summary>
/// The Internet checksum (RFC 1071): ones' complement of the ones' complement sum of 16-bit words.
/// Accumulates pieces (pseudo-header, then message) without copying them into one buffer.
/// </summary>
internal struct InternetChecksum
{
    private ulong _sum;

    /// <summary>Adds bytes; only the last piece added may have an odd length (RFC 1071 §4.1 pads it with zero).</summary>
    public void Add(ReadOnlySpan<byte> data)
    {
        var i = 0;
        for (; i + 1 < data.Length; i += 2)
        {
            _sum += BinaryPrimitives.ReadUInt16BigEndian(data.Slice(i, 2));
        }
        if (i < data.Length)
        {
            _sum += (ulong)data[i] << 8;
        }
    }

    public void AddUInt16(ushort value) => _sum += value;

    public void AddUInt32(uint value) => _sum += (value >> 16) + (value & 0xFFFF);

    /// <summary>The checksum to store in the field (computed with the field set to zero).</summary>
    public readonly ushort Finish()
    {
        var sum = _sum;
        while (sum >> 16 != 0)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }
        return (ushort)~sum;
    }

    public static ushort Compute(ReadOnlySpan<byte> data)
    {
        var c = new InternetChecksum();
        c.Add(data);
        return c.Finish();
    }
}
