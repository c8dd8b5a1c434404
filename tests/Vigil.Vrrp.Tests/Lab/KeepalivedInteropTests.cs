using System.Net;
using Vigil.Vrrp.Election;
using Vigil.Vrrp.Packets;
using Vigil.Vrrp.Runtime;
using Vigil.Vrrp.Tests.Integration;

namespace Vigil.Vrrp.Tests.Lab;

/// <summary>Vigil and keepalived 2.2.7 in one virtual router, each in the master role, v3 and v2.</summary>
[Collection("lab")]
public sealed class KeepalivedInteropTests : IDisposable
{
    private const string Vip = RawLabTests.Vip;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private readonly VrrpTimerLoop _loop = new();
    private NetnsLab? _lab;
    private Keepalived? _keepalived;

    public void Dispose()
    {
        _keepalived?.Dispose();
        _loop.Dispose();
        _lab?.Dispose();
    }

    // v3 at 100 ms (keepalived's "0.1"), v2 at its 1 s minimum.
    private static (int Ms, string Text) Interval(byte version) => version == 3 ? (100, "0.1") : (1000, "1");

    [LabTheory]
    [InlineData((byte)3)]
    [InlineData((byte)2)]
    public async Task VigilMasterKeepalivedBackupThenHandover(byte version)
    {
        _lab = RawLabTests.CreateLab();
        var (ms, text) = Interval(version);
        _keepalived = new Keepalived(_lab.Ns("b"), version, 100, text, Vip + "/24");
        var vigil = RawLabTests.Router(_lab, _loop, "a", "10.77.0.11", 150, ms, version);
        try
        {
            await vigil.StartAsync();
            // Vigil (150) wins; keepalived (100) must end as backup without the VIP.
            await Eventually(() => vigil.State == VrrpState.Master && _lab.Addresses("a").Contains(Vip + "/24")
                && !_lab.Addresses("b").Contains(Vip + "/24"), vigil);
            // Hold: several Master_Down_Intervals later keepalived still has not taken the VIP.
            await Task.Delay(TimeSpan.FromMilliseconds(ms * 5));
            Assert.DoesNotContain(Vip + "/24", _lab.Addresses("b"));
            Assert.Equal(VrrpState.Master, vigil.State);
            Assert.True(_lab.Ping("c", Vip));
            Assert.Equal(RawLabTests.MacA, _lab.NeighborMac("c", Vip));

            // Vigil stops: priority 0, keepalived takes over.
            await vigil.StopAsync();
            Assert.Equal(1, vigil.Counters.PriorityZeroSent);
            await Eventually(() => _lab.Addresses("b").Contains(Vip + "/24"), vigil);
            Assert.DoesNotContain(Vip + "/24", _lab.Addresses("a"));
            await Eventually(() => _lab.NeighborMac("c", Vip) == RawLabTests.MacB, vigil);
        }
        finally
        {
            await vigil.DisposeAsync();
        }

        // Vigil returns with preempt: it takes the VIP back from keepalived.
        await using var back = RawLabTests.Router(_lab, _loop, "a", "10.77.0.11", 150, ms, version);
        await back.StartAsync();
        await Eventually(() => back.State == VrrpState.Master && _lab.Addresses("a").Contains(Vip + "/24")
            && !_lab.Addresses("b").Contains(Vip + "/24"), back);
        // It heard keepalived's adverts, in keepalived's checksum form.
        Assert.True(back.Counters.AdvertsReceived > 0, "no advert from keepalived was accepted");
        Assert.Equal(back.Counters.AdvertsReceived,
            back.Counters.ChecksumMatches(version == 3 ? VrrpChecksumForm.V3PseudoHeader : VrrpChecksumForm.V2Message));
    }

    [LabTheory]
    [InlineData((byte)3)]
    [InlineData((byte)2)]
    public async Task KeepalivedMasterVigilBackupThenTakeover(byte version)
    {
        _lab = RawLabTests.CreateLab();
        var (ms, text) = Interval(version);
        _keepalived = new Keepalived(_lab.Ns("a"), version, 150, text, Vip + "/24");
        await Eventually(() => _lab.Addresses("a").Contains(Vip + "/24"));

        await using var vigil = RawLabTests.Router(_lab, _loop, "b", "10.77.0.12", 100, ms, version);
        await vigil.StartAsync();
        await Eventually(() => vigil.Counters.AdvertsReceived >= 3, vigil);
        var status = vigil.GetStatus();
        Assert.Equal(VrrpState.Backup, status.State);
        Assert.Equal(IPAddress.Parse("10.77.0.11"), status.MasterAddress);
        Assert.Equal(150, status.MasterPriority);
        Assert.Equal(TimeSpan.FromMilliseconds(ms), status.MasterAdverInterval);
        Assert.Equal(0, vigil.Counters.TotalDrops);
        Assert.Equal(vigil.Counters.AdvertsReceived,
            vigil.Counters.ChecksumMatches(version == 3 ? VrrpChecksumForm.V3PseudoHeader : VrrpChecksumForm.V2Message));
        Assert.DoesNotContain(Vip + "/24", _lab.Addresses("b"));
        // The client learns keepalived's MAC for the VIP; Vigil's gratuitous ARP must then move it.
        Assert.True(_lab.Ping("c", Vip));
        Assert.Equal(RawLabTests.MacA, _lab.NeighborMac("c", Vip));

        _keepalived.Stop();
        await Eventually(() => vigil.State == VrrpState.Master && _lab.Addresses("b").Contains(Vip + "/24"), vigil);
        Assert.True(vigil.Counters.PriorityZeroReceived >= 1, "keepalived's priority-0 advert was not seen");
        Assert.DoesNotContain(Vip + "/24", _lab.Addresses("a"));
        await Eventually(() => _lab.NeighborMac("c", Vip) == RawLabTests.MacB, vigil);
        Assert.True(_lab.Ping("c", Vip));
    }

    private async Task Eventually(Func<bool> condition, VrrpInstance? node = null)
    {
        if (!await UdpNode.WaitFor(condition, Patience))
        {
            var n = node is null ? "" : $"{node.Name} {node.State} recv {node.Counters.AdvertsReceived} sent {node.Counters.AdvertsSent} " +
                $"drops [{string.Join(",", node.Counters.DropsByReason())}] master {node.GetStatus().MasterAddress}";
            Assert.Fail($"not reached: {n}\nkeepalived exited: {_keepalived?.HasExited}\n{_keepalived?.Log}");
        }
    }
}
