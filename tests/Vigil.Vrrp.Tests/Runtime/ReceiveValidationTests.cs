using System.Net;
using Vigil.Vrrp.Addresses;
using Vigil.Vrrp.Packets;
using Vigil.Vrrp.Runtime;
using Vigil.Vrrp.Transport;

namespace Vigil.Vrrp.Tests.Runtime;

/// <summary>
/// The instance's receive checks (RFC 9568 §7.1, RFC 3768 §7.1) on keepalived's captured datagrams, fed as a raw
/// IPv4 socket delivers them (header included). The instance is real but never started.
/// </summary>
public sealed class ReceiveValidationTests : IDisposable
{
    private readonly VrrpTimerLoop _loop = new();
    private readonly List<VrrpInstance> _instances = [];

    public void Dispose()
    {
        foreach (var i in _instances)
        {
            i.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        _loop.Dispose();
    }

    /// <summary>Router B of the capture (10.77.0.12), configured like keepalived's peer.</summary>
    private VrrpInstance RouterB(byte version = 3, string? password = null, int intervalMs = 1000, byte vrid = 51, string local = "10.77.0.12")
    {
        // The UDP transport only supplies our address here; nothing is sent or received.
        var transport = new UdpVrrpTransport(new IPEndPoint(IPAddress.Loopback, 0), []);
        var options = new VrrpInstanceOptions
        {
            Name = "b",
            Vrid = vrid,
            Priority = 100,
            Version = version,
            AuthPassword = password,
            AdvertInterval = TimeSpan.FromMilliseconds(intervalMs),
            VirtualAddresses = [VirtualAddress.Parse("10.77.0.50/24")],
        };
        var instance = new VrrpInstance(options, new FixedAddressTransport(transport, IPAddress.Parse(local)), new BindAddressActuator((_, _) => Task.CompletedTask), _loop);
        _instances.Add(instance);
        return instance;
    }

    private static VrrpDecodeStatus Feed(VrrpInstance instance, byte[] datagram, out LoopEvent e) =>
        instance.Validate(datagram, new ReceivedPacket { Length = datagram.Length, IncludesIpHeader = true }, out e);

    [Fact]
    public void AcceptsKeepalivedV3AndReportsTheAdvert()
    {
        var b = RouterB();
        Assert.Equal(VrrpDecodeStatus.Ok, Feed(b, TestData.Hex("keepalived-v3-vrid51-prio150-adv100cs.hex"), out var e));
        Assert.Equal(150, e.Priority);
        Assert.Equal(TimeSpan.FromSeconds(1), e.Interval);
        Assert.Equal(IPAddress.Parse("10.77.0.11"), e.Sender.ToIPAddress());
        Assert.Equal(1, b.Counters.AdvertsReceived);
        Assert.Equal(1, b.Counters.ChecksumMatches(VrrpChecksumForm.V3PseudoHeader));
        Assert.Equal(0, b.Counters.AddressListMismatches);
    }

    [Fact]
    public void TwoVipAdvertIsAcceptedButCountedAsMismatch()
    {
        var b = RouterB();
        Assert.Equal(VrrpDecodeStatus.Ok, Feed(b, TestData.Hex("keepalived-v3-vrid51-prio150-adv100cs-2vip.hex"), out _));
        Assert.Equal(1, b.Counters.AddressListMismatches);
    }

    [Fact]
    public void OtherVridIsUnknown() =>
        Assert.Equal(VrrpDecodeStatus.UnknownVrid, Feed(RouterB(vrid: 52), TestData.Hex("keepalived-v3-vrid51-prio150-adv100cs.hex"), out _));

    [Fact]
    public void OwnAdvertIsDropped() =>
        Assert.Equal(VrrpDecodeStatus.OwnAdvert, Feed(RouterB(local: "10.77.0.11"), TestData.Hex("keepalived-v3-vrid51-prio150-adv100cs.hex"), out _));

    [Fact]
    public void V2AdvertToV3RouterIsWrongVersion() =>
        Assert.Equal(VrrpDecodeStatus.BadVersion, Feed(RouterB(), TestData.Hex("keepalived-v2-vrid51-prio150-adv1s.hex"), out _));

    [Fact]
    public void Ipv6AdvertToIpv4RouterIsWrongFamily() =>
        Assert.Equal(VrrpDecodeStatus.WrongFamily, Feed(RouterB(), TestData.Hex("keepalived-v3-ipv6-vrid51-prio150-adv100cs.hex"), out _));

    [Fact]
    public void V2IntervalMustMatch()
    {
        Assert.Equal(VrrpDecodeStatus.Ok, Feed(RouterB(version: 2), TestData.Hex("keepalived-v2-vrid51-prio150-adv1s.hex"), out _));
        Assert.Equal(VrrpDecodeStatus.IntervalMismatch, Feed(RouterB(version: 2, intervalMs: 2000), TestData.Hex("keepalived-v2-vrid51-prio150-adv1s.hex"), out _));
    }

    [Fact]
    public void V2PasswordMustMatch()
    {
        var authpass = TestData.Hex("keepalived-v2-vrid51-prio150-adv1s-authpass.hex");
        var counted = RouterB(version: 2, password: "judge51");
        Assert.Equal(VrrpDecodeStatus.Ok, Feed(counted, authpass, out _));
        Assert.Equal(1, counted.Counters.ChecksumMatches(VrrpChecksumForm.V2Message));
        Assert.Equal(VrrpDecodeStatus.AuthMismatch, Feed(RouterB(version: 2, password: "judge52"), authpass, out _));
        Assert.Equal(VrrpDecodeStatus.AuthMismatch, Feed(RouterB(version: 2), authpass, out _));
        Assert.Equal(VrrpDecodeStatus.AuthMismatch, Feed(RouterB(version: 2, password: "judge51"), TestData.Hex("keepalived-v2-vrid51-prio150-adv1s.hex"), out _));
    }

    [Fact]
    public void ForwardedAdvertIsDroppedForTtl()
    {
        var d = TestData.Hex("keepalived-v3-vrid51-prio150-adv100cs.hex");
        d[8] = 64;
        d[10] = 0;
        d[11] = 0;
        var c = InternetChecksum.Compute(d.AsSpan(0, 20));
        d[10] = (byte)(c >> 8);
        d[11] = (byte)c;
        var b = RouterB();
        Assert.Equal(VrrpDecodeStatus.BadTtl, Feed(b, d, out _));
        Assert.Equal(0, b.Counters.AdvertsReceived);
    }

    [Fact]
    public void HopLimitFromAncillaryDataIsChecked()
    {
        var b = RouterB();
        var d = TestData.Hex("keepalived-v3-vrid51-prio150-adv100cs.hex");
        var packet = new ReceivedPacket
        {
            Length = d.Length - 20,
            Source = AddressBytes.From(IPAddress.Parse("10.77.0.11")),
            Destination = AddressBytes.From(IPAddress.Parse("224.0.0.18")),
            HopLimit = 254,
        };
        Assert.Equal(VrrpDecodeStatus.BadTtl, b.Validate(d.AsSpan(20), packet, out _));
        Assert.Equal(VrrpDecodeStatus.Ok, b.Validate(d.AsSpan(20), packet with { HopLimit = 255 }, out _));
    }

    /// <summary>A real transport whose local address is replaced, so captured packets look addressed to us.</summary>
    private sealed class FixedAddressTransport(IVrrpTransport inner, IPAddress local) : IVrrpTransport
    {
        public IPAddress LocalAddress => local;
        public IReadOnlyList<IPAddress> Destinations => inner.Destinations;
        public void Send(ReadOnlySpan<byte> message, int destination) => inner.Send(message, destination);
        public bool TryReceive(Span<byte> buffer, TimeSpan timeout, out ReceivedPacket packet) => inner.TryReceive(buffer, timeout, out packet);
        public void Dispose() => inner.Dispose();
    }
}
