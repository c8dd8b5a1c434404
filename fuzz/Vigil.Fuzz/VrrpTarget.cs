using Vigil.Vrrp.Packets;
using static Vigil.Fuzz.InvariantException;

namespace Vigil.Fuzz;

/// <summary>
/// An IP datagram as the raw VRRP socket receives it → <see cref="VrrpDatagram.Decode"/> (IPv4/IPv6
/// header, then <see cref="VrrpCodec.Decode"/>). Every input gets a <see cref="VrrpDecodeStatus"/>;
/// an accepted advert lies inside the datagram, its address list inside the message, and encoding
/// its fields again gives an advert that decodes to the same fields.
/// </summary>
internal static class VrrpTarget
{
    public static void Run(ReadOnlySpan<byte> input)
    {
        var status = VrrpDatagram.Decode(input, out var header, out var form, out var offset, out var length);
        Check(Enum.IsDefined(status), $"undefined status {(int)status}");
        if (status != VrrpDecodeStatus.Ok) return;

        Check(offset >= 20 && length >= VrrpHeader.FixedLength && offset + length <= input.Length, $"message at {offset}+{length} of {input.Length}");
        Check(form != VrrpChecksumForm.None, "accepted without a checksum form");
        var v6 = input[0] >> 4 == 6;
        var alen = v6 ? 16 : 4;
        var source = v6 ? Ipv6Header.Source(input) : Ipv4Header.Source(input);
        var destination = v6 ? Ipv6Header.Destination(input) : Ipv4Header.Destination(input);
        var message = input.Slice(offset, length);
        var addresses = VrrpCodec.Addresses(message, header, alen);
        Check(addresses.Length == header.CountIp * alen, "address list length");

        Span<byte> again = stackalloc byte[VrrpHeader.FixedLength + 255 * 16 + VrrpHeader.V2AuthLength];
        var n = VrrpCodec.Encode(again, header, addresses, source, destination, form);
        var back = VrrpCodec.Decode(again[..n], source, destination, out var decoded, out _);
        Check(back == VrrpDecodeStatus.Ok, $"re-encoded advert decodes as {back}");
        Check(decoded with { Checksum = 0 } == header with { Checksum = 0 }, $"re-encoded advert: {decoded} vs {header}");
        Check(VrrpCodec.Addresses(again[..n], decoded, alen).SequenceEqual(addresses), "re-encoded addresses differ");
    }
}
