using System.Globalization;
using System.Net;
using System.Text.Json;
using Vigil.Vrrp.Packets;

namespace Vigil.Vrrp.Tests.Packets;

/// <summary>Every captured keepalived packet decodes to the recorded fields and re-encodes to the same bytes.</summary>
public sealed class GoldenVectorTests
{
    public static TheoryData<string> IpFiles() => new(TestData.HexFiles().Where(f => !f.EndsWith(".frame.hex", StringComparison.Ordinal)));
    public static TheoryData<string> VrrpFrameFiles() => new(TestData.HexFiles().Where(f => f.EndsWith(".frame.hex", StringComparison.Ordinal) && TestData.Vector(f).TryGetProperty("vrrp", out _)));

    [Fact]
    public void EveryHexFileHasAVectorAndBack()
    {
        var files = TestData.HexFiles().ToArray();
        Assert.Equal(16, files.Length);
        Assert.Equal(files.Order(), TestData.VectorNames().Order());
    }

    [Theory]
    [MemberData(nameof(IpFiles))]
    public void DecodesIpDatagram(string file)
    {
        var bytes = TestData.Hex(file);
        AssertDecodes(bytes, TestData.Vector(file));
    }

    [Theory]
    [MemberData(nameof(VrrpFrameFiles))]
    public void DecodesEthernetFrame(string file)
    {
        var bytes = TestData.Hex(file);
        var v = TestData.Vector(file);
        Assert.Equal(v.GetProperty("length").GetInt32(), bytes.Length);
        Assert.Equal(Mac(v.GetProperty("eth_dst")), bytes[..6]);
        Assert.Equal(Mac(v.GetProperty("eth_src")), bytes[6..12]);
        Assert.Equal(Hex16(v.GetProperty("ethertype")), (bytes[12] << 8) | bytes[13]);
        AssertDecodes(bytes[14..], v);
    }

    [Theory]
    [MemberData(nameof(IpFiles))]
    public void ReencodesFromFields(string file)
    {
        var expected = TestData.Hex(file);
        Assert.Equal(expected, Encode(TestData.Vector(file)));
    }

    [Theory]
    [MemberData(nameof(VrrpFrameFiles))]
    public void ReencodesFrameFromFields(string file)
    {
        var expected = TestData.Hex(file);
        var v = TestData.Vector(file);
        var frame = new byte[14].Concat(Encode(v)).ToArray();
        Mac(v.GetProperty("eth_dst")).CopyTo(frame, 0);
        Mac(v.GetProperty("eth_src")).CopyTo(frame, 6);
        frame[12] = 0x08;
        Assert.Equal(expected, frame);
    }

    [Theory]
    [InlineData("keepalived-garp-takeover.frame.hex")]
    [InlineData("keepalived-garp-takeover-vmac.frame.hex")]
    public void BuildsGratuitousArp(string file)
    {
        var v = TestData.Vector(file);
        var arp = v.GetProperty("arp");
        Assert.Equal(1, arp.GetProperty("op").GetInt32());
        Assert.Equal(arp.GetProperty("spa").GetString(), arp.GetProperty("tpa").GetString());
        var frame = new byte[GratuitousArpFrame.Length];
        var n = GratuitousArpFrame.Write(frame, Mac(arp.GetProperty("sha")), IPAddress.Parse(arp.GetProperty("spa").GetString()!).GetAddressBytes());
        Assert.Equal(v.GetProperty("frame_len").GetInt32(), n);
        Assert.Equal(TestData.Hex(file), frame);
        Assert.Equal(Mac(v.GetProperty("eth_src")), frame[6..12]);
    }

    [Fact]
    public void ReplyFormDiffersFromKeepalivedsRequestOnlyInTheOpcode()
    {
        const string file = "keepalived-garp-takeover-vmac.frame.hex";
        var expected = TestData.Hex(file);
        var frame = new byte[GratuitousArpFrame.Length];
        GratuitousArpFrame.Write(frame, Vigil.Vrrp.Addresses.VirtualMac.For(51, ipv6: false), IPAddress.Parse("10.77.0.50").GetAddressBytes(), reply: true);
        Assert.Equal(2, frame[21]);
        expected[21] = 2;
        Assert.Equal(expected, frame);
        // RFC 9568 §7.3: the captured vmac frame's source is the virtual router MAC for VRID 51.
        Assert.Equal(Mac(TestData.Vector(file).GetProperty("eth_src")), Vigil.Vrrp.Addresses.VirtualMac.For(51, ipv6: false));
        Assert.Equal("00:00:5e:00:02:33", Vigil.Vrrp.Addresses.VirtualMac.Format(51, ipv6: true));
    }

    [Fact]
    public void BuildsUnsolicitedNeighborAdvertisement()
    {
        const string file = "keepalived-ipv6-unsolicited-na-takeover.frame.hex";
        var v = TestData.Vector(file);
        var icmp = v.GetProperty("icmpv6");
        Assert.True(icmp.GetProperty("override").GetBoolean());
        var frame = new byte[NeighborAdvertisementFrame.Length];
        NeighborAdvertisementFrame.Write(frame, Mac(icmp.GetProperty("target_lladdr")), IPAddress.Parse(icmp.GetProperty("target").GetString()!).GetAddressBytes(),
            router: icmp.GetProperty("router").GetBoolean());
        Assert.Equal(TestData.Hex(file), frame);
        Assert.Equal(Hex16(icmp.GetProperty("checksum")), (frame[14 + 40 + 2] << 8) | frame[14 + 40 + 3]);
    }

    private static void AssertDecodes(byte[] datagram, JsonElement v)
    {
        var status = VrrpDatagram.Decode(datagram, out var h, out var form, out var offset, out var length);
        Assert.Equal(VrrpDecodeStatus.Ok, status);
        var vr = v.GetProperty("vrrp");
        var ipv6 = v.GetProperty("l3").GetString() == "ipv6";
        int alen = ipv6 ? 16 : 4;
        ReadOnlySpan<byte> src, dst;
        if (ipv6)
        {
            Assert.True(Ipv6Header.TryRead(datagram, out var ip));
            Assert.Equal(255, ip.HopLimit);
            Assert.Equal(v.GetProperty("hop_limit").GetInt32(), ip.HopLimit);
            Assert.Equal(Hex16(v.GetProperty("traffic_class")), ip.TrafficClass);
            Assert.Equal((uint)Hex16(v.GetProperty("flow_label")), ip.FlowLabel);
            Assert.Equal(v.GetProperty("payload_len").GetInt32(), ip.PayloadLength);
            Assert.Equal(v.GetProperty("next_header").GetInt32(), ip.NextHeader);
            src = Ipv6Header.Source(datagram);
            dst = Ipv6Header.Destination(datagram);
        }
        else
        {
            Assert.True(Ipv4Header.TryRead(datagram, out var ip));
            Assert.Equal(v.GetProperty("ttl").GetInt32(), ip.Ttl);
            Assert.Equal(Hex16(v.GetProperty("tos")), ip.Tos);
            Assert.Equal(Hex16(v.GetProperty("ip_id")), ip.Identification);
            Assert.Equal(Hex16(v.GetProperty("ip_checksum")), ip.Checksum);
            Assert.Equal(v.GetProperty("ip_checksum_valid").GetBoolean(), ip.ChecksumValid);
            Assert.Equal(Hex16(v.GetProperty("ip_flags_frag")), ip.FlagsAndFragment);
            Assert.Equal(v.GetProperty("ip_header_len").GetInt32(), ip.HeaderLength);
            Assert.Equal(v.GetProperty("ip_total_len").GetInt32(), ip.TotalLength);
            Assert.Equal(v.GetProperty("proto").GetInt32(), ip.Protocol);
            src = Ipv4Header.Source(datagram);
            dst = Ipv4Header.Destination(datagram);
        }
        Assert.Equal(IPAddress.Parse(v.GetProperty("src").GetString()!), new IPAddress(src));
        Assert.Equal(IPAddress.Parse(v.GetProperty("dst").GetString()!), new IPAddress(dst));

        Assert.Equal(vr.GetProperty("length").GetInt32(), length);
        Assert.Equal(vr.GetProperty("version").GetInt32(), h.Version);
        Assert.Equal(vr.GetProperty("type").GetInt32(), h.Type);
        Assert.Equal(vr.GetProperty("vrid").GetInt32(), h.Vrid);
        Assert.Equal(vr.GetProperty("priority").GetInt32(), h.Priority);
        Assert.Equal(vr.GetProperty("count_ip").GetInt32(), h.CountIp);
        Assert.Equal(Hex16(vr.GetProperty("checksum")), h.Checksum);
        Assert.True(vr.GetProperty("checksum_valid").GetBoolean());
        if (h.Version == 3)
        {
            Assert.Equal(vr.GetProperty("max_adver_int_cs").GetInt32(), h.Interval);
            Assert.Equal(TimeSpan.FromMilliseconds(vr.GetProperty("max_adver_int_cs").GetInt32() * 10), h.AdvertisementInterval);
            // The vectors record that keepalived's v3 checksum only holds with the pseudo-header.
            Assert.False(vr.GetProperty("checksum_valid_without_pseudo_header").GetBoolean());
            Assert.Equal(VrrpChecksumForm.V3PseudoHeader, form);
        }
        else
        {
            Assert.Equal(vr.GetProperty("adver_int_s").GetInt32(), h.Interval);
            Assert.Equal(vr.GetProperty("auth_type").GetInt32(), h.AuthType);
            Assert.Equal(ulong.Parse(vr.GetProperty("auth_data").GetString()!, NumberStyles.HexNumber, CultureInfo.InvariantCulture), h.AuthData);
            Assert.Equal(VrrpChecksumForm.V2Message, form);
        }
        var addresses = VrrpCodec.Addresses(datagram.AsSpan(offset, length), h, alen).ToArray();
        var expected = vr.GetProperty("addresses").EnumerateArray().Select(a => IPAddress.Parse(a.GetString()!)).ToArray();
        Assert.Equal(expected, Enumerable.Range(0, h.CountIp).Select(i => new IPAddress(addresses.AsSpan(i * alen, alen))).ToArray());
    }

    /// <summary>Builds the whole datagram from the JSON fields only.</summary>
    private static byte[] Encode(JsonElement v)
    {
        var vr = v.GetProperty("vrrp");
        var version = (byte)vr.GetProperty("version").GetInt32();
        var src = IPAddress.Parse(v.GetProperty("src").GetString()!).GetAddressBytes();
        var dst = IPAddress.Parse(v.GetProperty("dst").GetString()!).GetAddressBytes();
        var addresses = vr.GetProperty("addresses").EnumerateArray().SelectMany(a => IPAddress.Parse(a.GetString()!).GetAddressBytes()).ToArray();
        var header = new VrrpHeader
        {
            Version = version,
            Vrid = (byte)vr.GetProperty("vrid").GetInt32(),
            Priority = (byte)vr.GetProperty("priority").GetInt32(),
            Interval = (ushort)(version == 3 ? vr.GetProperty("max_adver_int_cs").GetInt32() : vr.GetProperty("adver_int_s").GetInt32()),
            AuthType = version == 2 ? (byte)vr.GetProperty("auth_type").GetInt32() : (byte)0,
            AuthData = version == 2 ? ulong.Parse(vr.GetProperty("auth_data").GetString()!, NumberStyles.HexNumber, CultureInfo.InvariantCulture) : 0,
        };
        var buffer = new byte[128];
        var ipv6 = src.Length == 16;
        var hl = ipv6 ? Ipv6Header.Length : Ipv4Header.MinLength;
        var n = VrrpCodec.Encode(buffer.AsSpan(hl), header, addresses, src, dst, VrrpChecksumForm.V3PseudoHeader);
        Assert.Equal(vr.GetProperty("length").GetInt32(), n);
        if (ipv6)
        {
            Ipv6Header.Write(buffer, (byte)Hex16(v.GetProperty("traffic_class")), (uint)Hex16(v.GetProperty("flow_label")), (ushort)n,
                VrrpCodec.Protocol, (byte)v.GetProperty("hop_limit").GetInt32(), src, dst);
        }
        else
        {
            Ipv4Header.Write(buffer, (byte)Hex16(v.GetProperty("tos")), (ushort)(hl + n), (ushort)Hex16(v.GetProperty("ip_id")),
                (byte)v.GetProperty("ttl").GetInt32(), (byte)v.GetProperty("proto").GetInt32(), src, dst, (ushort)Hex16(v.GetProperty("ip_flags_frag")));
        }
        return buffer[..(hl + n)];
    }

    private static int Hex16(JsonElement e) => int.Parse(e.GetString()!.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    private static byte[] Mac(JsonElement e) => Convert.FromHexString(e.GetString()!.Replace(":", "", StringComparison.Ordinal));
}
