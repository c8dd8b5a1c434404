using System.Net;
using Vigil.Vrrp.Packets;

namespace Vigil.Vrrp.Tests.Packets;

/// <summary>Bad input yields the right drop reason and never an exception.</summary>
public sealed class MalformedPacketTests
{
    private const string V3 = "keepalived-v3-vrid51-prio150-adv100cs.hex";
    private const string V6 = "keepalived-v3-ipv6-vrid51-prio150-adv100cs.hex";
    private const string V2 = "keepalived-v2-vrid51-prio150-adv1s.hex";

    private static VrrpDecodeStatus Decode(byte[] datagram) => VrrpDatagram.Decode(datagram, out _, out _, out _, out _);

    /// <summary>Changes a byte of the IPv4 header and fixes the header checksum, so only that field is wrong.</summary>
    private static byte[] WithIpv4Byte(string file, int index, byte value)
    {
        var d = TestData.Hex(file);
        d[index] = value;
        d[10] = 0;
        d[11] = 0;
        var c = InternetChecksum.Compute(d.AsSpan(0, 20));
        d[10] = (byte)(c >> 8);
        d[11] = (byte)c;
        return d;
    }

    [Theory]
    [InlineData(V3)]
    [InlineData(V2)]
    public void Ttl254IsDropped(string file) => Assert.Equal(VrrpDecodeStatus.BadTtl, Decode(WithIpv4Byte(file, 8, 254)));

    [Fact]
    public void HopLimit64IsDropped()
    {
        var d = TestData.Hex(V6);
        d[7] = 64;
        Assert.Equal(VrrpDecodeStatus.BadTtl, Decode(d));
    }

    [Fact]
    public void OtherProtocolIsDropped() => Assert.Equal(VrrpDecodeStatus.BadProtocol, Decode(WithIpv4Byte(V3, 9, 17)));

    [Fact]
    public void BadIpHeaderChecksumIsDropped()
    {
        var d = TestData.Hex(V3);
        d[11] ^= 0x01;
        Assert.Equal(VrrpDecodeStatus.BadIpHeader, Decode(d));
    }

    [Fact]
    public void FragmentIsDropped() => Assert.Equal(VrrpDecodeStatus.BadIpHeader, Decode(WithIpv4Byte(V3, 6, 0x20)));

    [Theory]
    [InlineData(V3, 22)] // priority
    [InlineData(V3, 31)] // last address byte
    [InlineData(V6, 79)]
    [InlineData(V2, 39)] // auth data
    public void FlippedBitIsBadChecksum(string file, int index)
    {
        var d = TestData.Hex(file);
        d[index] ^= 0x10;
        Assert.Equal(VrrpDecodeStatus.BadChecksum, Decode(d));
    }

    [Theory]
    [InlineData(0x41, VrrpDecodeStatus.BadVersion)] // version 4
    [InlineData(0x11, VrrpDecodeStatus.BadVersion)] // version 1
    [InlineData(0x32, VrrpDecodeStatus.BadType)]    // v3 type 2
    public void WrongVersionOrType(byte first, VrrpDecodeStatus expected)
    {
        var d = TestData.Hex(V3);
        d[20] = first;
        Assert.Equal(expected, Decode(d));
    }

    [Fact]
    public void V2OverIpv6IsBadVersion()
    {
        var d = TestData.Hex(V6);
        d[40] = 0x21;
        Assert.Equal(VrrpDecodeStatus.BadVersion, Decode(d));
    }

    [Fact]
    public void CountLargerThanMessageIsTooShort()
    {
        var d = TestData.Hex(V3);
        d[23] = 2;
        Assert.Equal(VrrpDecodeStatus.TooShort, Decode(d));
    }

    [Fact]
    public void TrailingBytesAreBadLength()
    {
        var d = TestData.Hex(V3);
        var src = Ipv4Header.Source(d).ToArray();
        var dst = Ipv4Header.Destination(d).ToArray();
        var message = d[20..].Concat(new byte[4]).ToArray();
        Assert.Equal(VrrpDecodeStatus.BadLength, VrrpCodec.Decode(message, src, dst, out _, out _));
    }

    [Fact]
    public void TruncatedDatagramsAreRejected()
    {
        foreach (var file in TestData.HexFiles().Where(f => !f.EndsWith(".frame.hex", StringComparison.Ordinal)))
        {
            var d = TestData.Hex(file);
            for (var n = 0; n < d.Length; n++)
            {
                var status = Decode(d[..n]);
                Assert.NotEqual(VrrpDecodeStatus.Ok, status);
            }
        }
    }

    [Fact]
    public void MismatchedAddressFamilyIsRejected()
    {
        var d = TestData.Hex(V3);
        Assert.Equal(VrrpDecodeStatus.WrongFamily, VrrpCodec.Decode(d.AsSpan(20), new byte[4], new byte[16], out _, out _));
    }

    [Fact]
    public void RandomBytesNeverThrow()
    {
        var random = new Random(9568);
        var valid = TestData.Hex(V3);
        for (var i = 0; i < 20_000; i++)
        {
            var d = new byte[random.Next(0, 100)];
            random.NextBytes(d);
            if (i % 2 == 0 && d.Length > 0)
            {
                d[0] = (byte)(i % 4 == 0 ? 0x45 : 0x60); // get past the version check more often
            }
            _ = Decode(d);
            var mutated = (byte[])valid.Clone();
            mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
            _ = Decode(mutated);
        }
    }

    [Fact]
    public void V3Ipv4ChecksumWithoutPseudoHeaderIsAcceptedAndReported()
    {
        var src = IPAddress.Parse("10.77.0.11").GetAddressBytes();
        var dst = IPAddress.Parse("224.0.0.18").GetAddressBytes();
        var header = new VrrpHeader { Version = 3, Vrid = 51, Priority = 150, Interval = 100 };
        var buffer = new byte[64];
        var n = VrrpCodec.Encode(buffer, header, IPAddress.Parse("10.77.0.50").GetAddressBytes(), src, dst, VrrpChecksumForm.V3WithoutPseudoHeader);
        Assert.Equal(VrrpDecodeStatus.Ok, VrrpCodec.Decode(buffer.AsSpan(0, n), src, dst, out var decoded, out var form));
        Assert.Equal(VrrpChecksumForm.V3WithoutPseudoHeader, form);
        Assert.Equal(150, decoded.Priority);
        // Not the keepalived default form: the captured checksum is 0x4301.
        Assert.NotEqual(0x4301, decoded.Checksum);

        n = VrrpCodec.Encode(buffer, header, IPAddress.Parse("10.77.0.50").GetAddressBytes(), src, dst, VrrpChecksumForm.V3PseudoHeader);
        Assert.Equal(VrrpDecodeStatus.Ok, VrrpCodec.Decode(buffer.AsSpan(0, n), src, dst, out decoded, out form));
        Assert.Equal(VrrpChecksumForm.V3PseudoHeader, form);
        Assert.Equal(0x4301, decoded.Checksum);
    }

    [Fact]
    public void Ipv6NeverAcceptsChecksumWithoutPseudoHeader()
    {
        var src = IPAddress.Parse("fe80::77:ff:fe00:11").GetAddressBytes();
        var dst = IPAddress.Parse("ff02::12").GetAddressBytes();
        var header = new VrrpHeader { Version = 3, Vrid = 51, Priority = 150, Interval = 100 };
        var buffer = new byte[64];
        // Asking for the v2-style form on IPv6 still writes the pseudo-header form (RFC 9568 §5.2.8).
        var n = VrrpCodec.Encode(buffer, header, IPAddress.Parse("fe80::50").GetAddressBytes(), src, dst, VrrpChecksumForm.V3WithoutPseudoHeader);
        Assert.Equal(VrrpDecodeStatus.Ok, VrrpCodec.Decode(buffer.AsSpan(0, n), src, dst, out _, out var form));
        Assert.Equal(VrrpChecksumForm.V3PseudoHeader, form);
        var plain = InternetChecksum.Compute(buffer.AsSpan(0, n));
        Assert.NotEqual(0, plain);
    }

    [Fact]
    public void CentisecondIntervalRoundTrips()
    {
        var src = new byte[] { 127, 0, 0, 1 };
        var dst = new byte[] { 127, 0, 0, 2 };
        var buffer = new byte[64];
        var n = VrrpCodec.Encode(buffer, new VrrpHeader { Version = 3, Vrid = 1, Priority = 100, Interval = 2 }, new byte[] { 127, 0, 0, 50 }, src, dst, VrrpChecksumForm.V3PseudoHeader);
        Assert.Equal(VrrpDecodeStatus.Ok, VrrpCodec.Decode(buffer.AsSpan(0, n), src, dst, out var h, out _));
        Assert.Equal(TimeSpan.FromMilliseconds(20), h.AdvertisementInterval);
    }
}
