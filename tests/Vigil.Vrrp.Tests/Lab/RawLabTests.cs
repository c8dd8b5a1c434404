using System.Net;
using Vigil.Vrrp.Addresses;
using Vigil.Vrrp.Election;
using Vigil.Vrrp.Packets;
using Vigil.Vrrp.Runtime;
using Vigil.Vrrp.Tests.Integration;
using Vigil.Vrrp.Transport;

namespace Vigil.Vrrp.Tests.Lab;

/// <summary>Two Vigil routers and a client on a bridge in network namespaces, over raw IP protocol 112.</summary>
[Collection("lab")]
public sealed class RawLabTests(Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    internal const string MacA = "02:77:00:00:00:11";
    internal const string MacB = "02:77:00:00:00:12";
    internal const string Vip = "10.77.0.50";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly VrrpTimerLoop _loop = new();
    private NetnsLab? _lab;

    public void Dispose()
    {
        _loop.Dispose();
        _lab?.Dispose();
    }

    internal static NetnsLab CreateLab() => new(
        ("a", "10.77.0.11/24", MacA),
        ("b", "10.77.0.12/24", MacB),
        ("c", "10.77.0.99/24", "02:77:00:00:00:99"));

    internal static VrrpInstance Router(NetnsLab lab, VrrpTimerLoop loop, string host, string address, byte priority, int intervalMs = 100, byte version = 3,
        IPAddress[]? unicastPeers = null, bool vmac = false, bool preempt = true)
    {
        var ns = lab.Ns(host);
        var options = new VrrpInstanceOptions
        {
            Name = "front-" + host,
            Vrid = 51,
            Priority = priority,
            Version = version,
            Preempt = preempt,
            AdvertInterval = TimeSpan.FromMilliseconds(intervalMs),
            VirtualAddresses = [VirtualAddress.Parse(Vip + "/24")],
        };
        var transport = new RawVrrpTransport(new RawTransportOptions
        {
            Interface = "eth0",
            NetworkNamespace = ns,
            SourceAddress = IPAddress.Parse(address),
            UnicastPeers = unicastPeers ?? [],
            VmacInterface = vmac ? "vrrp.51" : null,
        });
        IVirtualAddressActuator addresses = vmac
            ? new VmacAddressActuator("eth0", options.Vrid, options.VirtualAddresses, networkNamespace: ns)
            : new InterfaceAddressActuator("eth0", options.VirtualAddresses, networkNamespace: ns);
        return new VrrpInstance(options, transport, addresses, loop);
    }

    [LabFact]
    public async Task MasterHoldsTheVipAndHandsItOverOnStop()
    {
        _lab = CreateLab();
        await using var a = Router(_lab, _loop, "a", "10.77.0.11", 150);
        await using var b = Router(_lab, _loop, "b", "10.77.0.12", 100);
        await a.StartAsync();
        await b.StartAsync();

        await Eventually(() => a.State == VrrpState.Master && b.State == VrrpState.Backup && _lab.Addresses("a").Contains(Vip + "/24"), a, b);
        Assert.DoesNotContain(Vip + "/24", _lab.Addresses("b"));
        Assert.True(_lab.Ping("c", Vip));
        Assert.Equal(MacA, _lab.NeighborMac("c", Vip));
        // Real multicast adverts with a real IP header: TTL checked, keepalived's checksum form.
        Assert.True(b.Counters.AdvertsReceived > 0);
        Assert.Equal(b.Counters.AdvertsReceived, b.Counters.ChecksumMatches(VrrpChecksumForm.V3PseudoHeader));
        Assert.Equal(IPAddress.Parse("10.77.0.11"), b.GetStatus().MasterAddress);

        await a.StopAsync();
        await Eventually(() => b.State == VrrpState.Master && _lab.Addresses("b").Contains(Vip + "/24"), a, b);
        Assert.DoesNotContain(Vip + "/24", _lab.Addresses("a"));
        // B's gratuitous ARP moved the client's entry without the client asking.
        await Eventually(() => _lab.NeighborMac("c", Vip) == MacB, a, b);
        Assert.True(_lab.Ping("c", Vip));
        Assert.Equal(1, b.Counters.PriorityZeroReceived);
    }

    [LabFact]
    public async Task SurvivingMasterReannouncesWhenSplitBrainHeals()
    {
        _lab = CreateLab();
        await using var a = Router(_lab, _loop, "a", "10.77.0.11", 150);
        await using var b = Router(_lab, _loop, "b", "10.77.0.12", 100);
        await a.StartAsync();
        await b.StartAsync();
        await Eventually(() => a.State == VrrpState.Master && b.State == VrrpState.Backup && _lab.Addresses("a").Contains(Vip + "/24"), a, b);
        Assert.True(_lab.Ping("c", Vip));
        Assert.Equal(MacA, _lab.NeighborMac("c", Vip));

        // Cut A's port on the switch: A stays master alone, B takes over for the client.
        NetnsLab.Ip("-n", _lab.Ns("sw"), "link", "set", "p0", "down");
        await Eventually(() => b.State == VrrpState.Master && _lab.NeighborMac("c", Vip) == MacB, a, b);
        Assert.Equal(VrrpState.Master, a.State);

        // Heal: B hears A (150) and steps down; A hears B's lower advert and re-announces, so the client's
        // ARP entry comes back to A at once instead of pointing at B, which no longer holds the VIP.
        NetnsLab.Ip("-n", _lab.Ns("sw"), "link", "set", "p0", "up");
        await Eventually(() => b.State == VrrpState.Backup && !_lab.Addresses("b").Contains(Vip + "/24"), a, b);
        await Eventually(() => _lab.NeighborMac("c", Vip) == MacA, a, b);
        Assert.True(_lab.Ping("c", Vip));
        Assert.Equal(VrrpState.Master, a.State);
    }

    [LabFact]
    public async Task VmacKeepsTheClientsArpEntryAcrossFailovers()
    {
        const string Vmac = "00:00:5e:00:01:33"; // RFC 9568 §7.3 for VRID 51
        _lab = CreateLab();
        var a = Router(_lab, _loop, "a", "10.77.0.11", 150, vmac: true);
        await using var b = Router(_lab, _loop, "b", "10.77.0.12", 100, vmac: true);
        try
        {
            await a.StartAsync();
            await b.StartAsync();
            await Eventually(() => a.State == VrrpState.Master && b.State == VrrpState.Backup && VmacHasVip("a"), a, b);
            Assert.False(VmacHasVip("b"));
            Assert.Contains("state DOWN", NetnsLab.Ip("-n", _lab.Ns("b"), "link", "show", "dev", "vrrp.51"));
            Assert.True(_lab.Ping("c", Vip));
            Assert.Equal(Vmac, _lab.NeighborMac("c", Vip));
            // The parent must not answer for the VIP with its own MAC.
            Assert.Equal("1", NetnsLab.Run("ip", ["netns", "exec", _lab.Ns("a"), "sysctl", "-n", "net.ipv4.conf.eth0.arp_ignore"], check: true).Output.Trim());

            // Graceful handover: the client's entry never changes, the switch follows B's gratuitous ARP.
            await a.StopAsync();
            await Eventually(() => b.State == VrrpState.Master && VmacHasVip("b"), a, b);
            Assert.True(await UdpNode.WaitFor(() => _lab.Ping("c", Vip), Patience));
            Assert.Equal(Vmac, _lab.NeighborMac("c", Vip));
        }
        finally
        {
            await a.DisposeAsync();
        }
        // The macvlan went away with the instance.
        Assert.DoesNotContain("vrrp.51", NetnsLab.Ip("-n", _lab.Ns("a"), "link", "show"));

        // A returns and preempts; then its link is cut (a crash): B takes over, the entry still holds.
        await using var back = Router(_lab, _loop, "a", "10.77.0.11", 150, vmac: true);
        await back.StartAsync();
        await Eventually(() => back.State == VrrpState.Master && b.State == VrrpState.Backup && !VmacHasVip("b"), back, b);
        Assert.True(await UdpNode.WaitFor(() => _lab.Ping("c", Vip), Patience));
        NetnsLab.Ip("-n", _lab.Ns("sw"), "link", "set", "p0", "down");
        await Eventually(() => b.State == VrrpState.Master && VmacHasVip("b"), back, b);
        Assert.True(await UdpNode.WaitFor(() => _lab.Ping("c", Vip), Patience));
        Assert.Equal(Vmac, _lab.NeighborMac("c", Vip));
    }

    [LabFact]
    public async Task VmacTakeoverHoldsWhenTheKilledMastersKernelStillHoldsTheVip()
    {
        _lab = CreateLab();
        await using var a = Router(_lab, _loop, "a", "10.77.0.11", 150, vmac: true);
        await using var b = Router(_lab, _loop, "b", "10.77.0.12", 100, vmac: true);
        await a.StartAsync();
        await b.StartAsync();
        await Eventually(() => a.State == VrrpState.Master && b.State == VrrpState.Backup && VmacHasVip("a"), a, b);
        Assert.True(_lab.Ping("c", Vip));
        Assert.Equal("p0", VmacPort()); // adverts and ARP from the virtual MAC put it on A's port
        // keepalived sets accept_local=1 on its vmac interfaces; with it, a leftover VIP answers a gratuitous ARP
        // request and pulls the virtual MAC back to the dead node's port (measured: the switch ends on p0 with
        // request-form ARP and adverts from the parent's MAC). Vigil does not set it; set it here to show that the
        // other two defences hold on their own.
        NetnsLab.Run("ip", ["netns", "exec", _lab.Ns("a"), "sysctl", "-qw", "net.ipv4.conf.vrrp/51.accept_local=1"], check: true);

        // SIGKILL-like: A's daemon is gone, its kernel still has the macvlan up with the VIP on it. Its gratuitous ARP
        // repeats die with it: left running (5 at 100 ms), the last ones came after B's takeover and moved the virtual
        // MAC back to p0, which no real crash does (HandoverTests.CrashedMasterSendsNoFurtherAnnouncement).
        a.Crash();
        await Eventually(() => b.State == VrrpState.Master && VmacHasVip("b"), a, b);
        Assert.True(VmacHasVip("a"));
        // B's gratuitous ARPs are replies, which A's kernel does not answer, and B's adverts come from the
        // virtual MAC every interval: the switch keeps the virtual MAC on B's port and every ping is answered.
        Assert.True(await UdpNode.WaitFor(() => _lab.Ping("c", Vip), Patience));
        var answered = 0;
        for (var i = 0; i < 10; i++)
        {
            answered += _lab.Ping("c", Vip) ? 1 : 0;
            Assert.Equal("p1", VmacPort());
        }
        Assert.Equal(10, answered);
    }

    /// <summary>The bridge port the switch has learned the virtual MAC on.</summary>
    private string VmacPort()
    {
        var fdb = NetnsLab.Run("bridge", ["-n", _lab!.Ns("sw"), "fdb", "show", "br", "br0"], check: true).Output;
        var line = fdb.Split('\n').FirstOrDefault(l => l.StartsWith("00:00:5e:00:01:33 ", StringComparison.Ordinal)) ?? "";
        var parts = line.Split(' ');
        var dev = Array.IndexOf(parts, "dev");
        return dev >= 0 ? parts[dev + 1] : "";
    }

    private bool VmacHasVip(string host) =>
        NetnsLab.Ip("-n", _lab!.Ns(host), "-4", "-o", "addr", "show", "dev", "vrrp.51").Contains($"inet {Vip}/24");

    [LabFact]
    public async Task UnicastPeersElectWithoutMulticast()
    {
        _lab = CreateLab();
        await using var a = Router(_lab, _loop, "a", "10.77.0.11", 150, unicastPeers: [IPAddress.Parse("10.77.0.12")]);
        await using var b = Router(_lab, _loop, "b", "10.77.0.12", 100, unicastPeers: [IPAddress.Parse("10.77.0.11")]);
        await a.StartAsync();
        await b.StartAsync();
        await Eventually(() => a.State == VrrpState.Master && b.State == VrrpState.Backup && b.Counters.AdvertsReceived >= 3, a, b);
        await Eventually(() => _lab.Addresses("a").Contains(Vip + "/24"), a, b);
        Assert.Equal(IPAddress.Parse("10.77.0.11"), b.GetStatus().MasterAddress);
        // The pseudo-header used the unicast destination on both ends.
        Assert.Equal(0, b.Counters.Drops(VrrpDecodeStatus.BadChecksum));
        await a.StopAsync();
        await Eventually(() => b.State == VrrpState.Master && _lab.Addresses("b").Contains(Vip + "/24"), a, b);
    }

    [LabFact]
    public async Task Ipv6RoutersElectOverLinkLocal()
    {
        _lab = CreateLab();
        // Link-local addresses appear once the links are up; give them DAD time via nodad-free checks.
        var a = V6Router("a", 150);
        var b = V6Router("b", 100);
        await using (a)
        await using (b)
        {
            await a.StartAsync();
            await b.StartAsync();
            await Eventually(() => a.State == VrrpState.Master && b.State == VrrpState.Backup && b.Counters.AdvertsReceived >= 3, a, b);
            Assert.Equal(b.Counters.AdvertsReceived, b.Counters.ChecksumMatches(VrrpChecksumForm.V3PseudoHeader));
            Assert.True(b.GetStatus().MasterAddress!.IsIPv6LinkLocal);
            // The IPv6 VIP went on with nodad through rtnetlink, on the master only.
            await Eventually(() => NetnsLab.Ip("-n", _lab!.Ns("a"), "-6", "-o", "addr", "show", "dev", "eth0").Contains("fd77::50/64"), a, b);
            Assert.DoesNotContain("fd77::50/64", NetnsLab.Ip("-n", _lab!.Ns("b"), "-6", "-o", "addr", "show", "dev", "eth0"));
        }
    }

    [LabFact]
    public async Task Ipv6VmacAdvertsLeaveFromTheVirtualMacWithTheParentsAddress()
    {
        const string Vmac6 = "00:00:5e:00:02:33"; // RFC 9568 §7.3, IPv6, VRID 51
        _lab = CreateLab();
        await using var a = V6Router("a", 150, vmac: true);
        await using var b = V6Router("b", 100, vmac: true);
        await a.StartAsync();
        await b.StartAsync();
        await Eventually(() => a.State == VrrpState.Master && b.State == VrrpState.Backup && b.Counters.AdvertsReceived >= 3, a, b);
        var linkLocal = LinkLocal("a");

        // One second of adverts as the client sees them, with their link-layer headers.
        var capture = NetnsLab.Run("ip", ["netns", "exec", _lab.Ns("c"), "timeout", "2", "tcpdump", "-i", "eth0", "-e", "-n", "-l",
            "-c", "8", "ip6 proto 112"], check: false).Output;
        var adverts = capture.Split('\n').Where(l => l.Contains("VRRPv3", StringComparison.Ordinal)).ToArray();
        output.WriteLine(string.Join('\n', adverts.Take(4)));
        // From the virtual MAC (switches learn where it lives) and from the parent's (every router hears it), both
        // with the parent's link-local address as source: to b they are one router.
        Assert.Contains(adverts, l => l.Contains(Vmac6 + " >", StringComparison.Ordinal) && l.Contains(linkLocal + " > ff02::12", StringComparison.Ordinal));
        Assert.Contains(adverts, l => l.Contains(RawLabTests.MacA + " >", StringComparison.Ordinal) && l.Contains(linkLocal + " > ff02::12", StringComparison.Ordinal));
        Assert.DoesNotContain(adverts, l => l.Contains(" > ff02::12", StringComparison.Ordinal) && !l.Contains(linkLocal + " > ff02::12", StringComparison.Ordinal));
        Assert.Equal(VrrpState.Backup, b.State);
        Assert.Equal(IPAddress.Parse(linkLocal), b.GetStatus().MasterAddress);
        Assert.Equal(b.Counters.AdvertsReceived, b.Counters.ChecksumMatches(VrrpChecksumForm.V3PseudoHeader));

        await a.StopAsync();
        await Eventually(() => b.State == VrrpState.Master
            && NetnsLab.Ip("-n", _lab!.Ns("b"), "-6", "-o", "addr", "show", "dev", "vrrp.51").Contains("fd77::50/64"), a, b);
    }

    private string LinkLocal(string host)
    {
        var line = NetnsLab.Ip("-n", _lab!.Ns(host), "-6", "-o", "addr", "show", "dev", "eth0", "scope", "link");
        return line.Split(' ', StringSplitOptions.RemoveEmptyEntries).SkipWhile(w => w != "inet6").Skip(1).First().Split('/')[0];
    }

    private VrrpInstance V6Router(string host, byte priority, bool vmac = false)
    {
        var ns = _lab!.Ns(host);
        var options = new VrrpInstanceOptions
        {
            Name = "v6-" + host,
            Vrid = 51,
            Priority = priority,
            AdvertInterval = TimeSpan.FromMilliseconds(100),
            VirtualAddresses = [VirtualAddress.Parse("fd77::50/64")],
        };
        RawVrrpTransport? transport = null;
        // The kernel adds the link-local address when eth0 comes up; wait (bounded) until it is there.
        for (var i = 0; i < 50 && transport is null; i++)
        {
            try
            {
                transport = new RawVrrpTransport(new RawTransportOptions
                {
                    Interface = "eth0",
                    NetworkNamespace = ns,
                    Ipv6 = true,
                    VmacInterface = vmac ? "vrrp.51" : null,
                });
            }
            catch (InvalidOperationException) when (i < 49)
            {
                Thread.Sleep(100);
            }
        }
        IVirtualAddressActuator addresses = vmac
            ? new VmacAddressActuator("eth0", options.Vrid, options.VirtualAddresses, networkNamespace: ns)
            : new InterfaceAddressActuator("eth0", options.VirtualAddresses, networkNamespace: ns);
        return new VrrpInstance(options, transport!, addresses, _loop);
    }

    private static async Task Eventually(Func<bool> condition, params VrrpInstance[] nodes)
    {
        if (!await UdpNode.WaitFor(condition, Patience))
        {
            Assert.Fail("not reached: " + string.Join("; ", nodes.Select(n =>
                $"{n.Name} {n.State} recv {n.Counters.AdvertsReceived} sent {n.Counters.AdvertsSent} drops [{string.Join(",", n.Counters.DropsByReason())}]")));
        }
    }
}
