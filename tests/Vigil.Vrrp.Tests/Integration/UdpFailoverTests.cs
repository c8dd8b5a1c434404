using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Vigil.Vrrp.Election;
using Vigil.Vrrp.Packets;
using Vigil.Vrrp.Runtime;
using Vigil.Vrrp.Tracking;

namespace Vigil.Vrrp.Tests.Integration;

/// <summary>Two real VrrpInstances over UDP on loopback, driven by the real timer thread.</summary>
public sealed class UdpFailoverTests : IDisposable
{
    private static readonly IPAddress AddressA = IPAddress.Parse("127.0.0.11");
    private static readonly IPAddress AddressB = IPAddress.Parse("127.0.0.12");
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    private readonly VrrpTimerLoop _loop = new();
    private readonly int _port = UdpNode.FreePort(AddressA, AddressB);

    private IPEndPoint A => new(AddressA, _port);
    private IPEndPoint B => new(AddressB, _port);

    private UdpNode NodeA(VrrpInstanceOptions options, IVrrpTracker? tracker = null) => Track(new(options, A, [B], _loop, tracker));
    private UdpNode NodeB(VrrpInstanceOptions options) => Track(new(options, B, [A], _loop));

    private UdpNode Track(UdpNode node)
    {
        _nodes.Add(node);
        return node;
    }

    private readonly List<UdpNode> _nodes = [];

    public void Dispose() => _loop.Dispose();

    /// <summary>Waits (bounded) for a condition; on failure the message shows every node's state and counters.</summary>
    private async Task Eventually(Func<bool> condition)
    {
        if (!await UdpNode.WaitFor(condition, Patience))
        {
            Assert.Fail("condition not reached in " + Patience + ":\n" + string.Join("\n", _nodes) +
                $"\ntimer loop: fires {_loop.TimerFires}, max lateness {_loop.MaxLateness.TotalMilliseconds} ms");
        }
    }

    [Theory]
    [InlineData(VrrpChecksumForm.V3PseudoHeader)]
    [InlineData(VrrpChecksumForm.V3WithoutPseudoHeader)]
    public async Task HigherPriorityBecomesMaster(VrrpChecksumForm form)
    {
        await using var a = NodeA(UdpNode.Options("a", 150, form: form));
        await using var b = NodeB(UdpNode.Options("b", 100, form: form));
        // A first: a backup that starts alone becomes master after its Master_Down_Interval, correctly;
        // here we check that a running master keeps a lower backup quiet.
        await a.Instance.StartAsync();
        await Eventually(() => a.State == VrrpState.Master);
        await b.Instance.StartAsync();

        await Eventually(() => b.Instance.Counters.AdvertsReceived >= 5 && b.State == VrrpState.Backup && b.Instance.GetStatus().MasterPriority == 150);
        Assert.Equal(VrrpState.Master, a.State);
        await Eventually(() => a.Bind.IsBound);
        Assert.False(b.Bind.IsBound);

        var status = b.Instance.GetStatus();
        Assert.Equal(AddressA, status.MasterAddress);
        Assert.Equal(150, status.MasterPriority);
        Assert.Equal(TimeSpan.FromMilliseconds(100), status.MasterAdverInterval);
        // The backup counted which checksum form the master's adverts matched.
        Assert.Equal(b.Instance.Counters.AdvertsReceived, b.Instance.Counters.ChecksumMatches(form));
        Assert.Equal(0, b.Instance.Counters.TotalDrops);
        Assert.True(a.Instance.Counters.AdvertsSent >= 5);
        Assert.Equal(AddressA, a.Instance.GetStatus().MasterAddress);
    }

    [Fact]
    public async Task StoppedMasterHandsOverWithinMasterDownInterval()
    {
        // 300 ms: Skew_Time 182 ms against a Master_Down_Interval of 1082 ms leaves room on a loaded machine.
        var a = NodeA(UdpNode.Options("a", 150, intervalMs: 300));
        await using var b = NodeB(UdpNode.Options("b", 100, intervalMs: 300));
        try
        {
            await a.Instance.StartAsync();
            await b.Instance.StartAsync();
            await Eventually(() => a.State == VrrpState.Master && b.State == VrrpState.Backup && b.Instance.GetStatus().MasterPriority == 150);
            var masterDown = b.Instance.GetStatus().MasterDownInterval;

            var stopwatch = Stopwatch.StartNew();
            await a.Instance.StopAsync();
            await Eventually(() => b.State == VrrpState.Master);
            var takeover = stopwatch.Elapsed;
            // Addresses follow the state on the actuator task, just after.
            await Eventually(() => b.Bind.IsBound);

            Assert.Equal(1, a.Instance.Counters.PriorityZeroSent);
            Assert.Equal(1, b.Instance.Counters.PriorityZeroReceived);
            Assert.False(a.Bind.IsBound);
            Assert.True(b.Bind.IsBound);
            // Priority 0 makes the backup take over after Skew_Time, well inside Master_Down_Interval.
            Assert.True(takeover < masterDown, $"takeover {takeover.TotalMilliseconds} ms, Master_Down_Interval {masterDown.TotalMilliseconds} ms");
            Assert.Equal(VrrpState.Initialize, a.State);
        }
        finally
        {
            await a.DisposeAsync();
        }
    }

    [Fact]
    public async Task SilentMasterIsReplacedAfterMasterDownInterval()
    {
        var a = NodeA(UdpNode.Options("a", 150));
        await using var b = NodeB(UdpNode.Options("b", 100));
        await a.Instance.StartAsync();
        await b.Instance.StartAsync();
        await Eventually(() => a.State == VrrpState.Master && b.Instance.Counters.AdvertsReceived >= 3);

        // Kill-like: the master's socket closes without a priority-0 advert.
        a.Crash();
        var masterDown = b.Instance.GetStatus().MasterDownInterval;
        var stopwatch = Stopwatch.StartNew();
        await Eventually(() => b.State == VrrpState.Master);
        var takeover = stopwatch.Elapsed;
        Assert.Equal(0, b.Instance.Counters.PriorityZeroReceived);
        Assert.Equal(0, a.Instance.Counters.PriorityZeroSent);
        // Not before the backup could know the master is gone (it may have received an advert just before).
        Assert.True(takeover >= masterDown - TimeSpan.FromMilliseconds(100), $"took over after {takeover.TotalMilliseconds} ms");
        await a.DisposeAsync();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ReturningHigherNodePreemptsOnlyWhenConfigured(bool preempt)
    {
        await using var b = NodeB(UdpNode.Options("b", 100));
        await b.Instance.StartAsync();
        await Eventually(() => b.State == VrrpState.Master);

        await using var a = NodeA(UdpNode.Options("a", 150, preempt: preempt));
        await a.Instance.StartAsync();
        if (preempt)
        {
            await Eventually(() => a.State == VrrpState.Master && b.State == VrrpState.Backup);
            await Eventually(() => a.Bind.IsBound && !b.Bind.IsBound);
            Assert.Contains(b.Transitions, t => t.From == VrrpState.Master && t.To == VrrpState.Backup);
        }
        else
        {
            // Ten Master_Down_Intervals of B's adverts: A must stay backup the whole time.
            var sampled = 0;
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(3.5);
            while (DateTime.UtcNow < deadline)
            {
                Assert.Equal(VrrpState.Backup, a.State);
                Assert.Equal(VrrpState.Master, b.State);
                sampled++;
                await Task.Delay(50);
            }
            Assert.True(sampled > 10);
            Assert.True(a.Instance.Counters.AdvertsReceived >= 10);
            Assert.Equal(AddressB, a.Instance.GetStatus().MasterAddress);
            Assert.False(a.Bind.IsBound);
        }
    }

    [Fact]
    public async Task TrackingLowersPriorityAndHandsOver()
    {
        var tracker = new PriorityAdjustments();
        await using var a = NodeA(UdpNode.Options("a", 150), tracker);
        await using var b = NodeB(UdpNode.Options("b", 100));
        await a.Instance.StartAsync();
        await b.Instance.StartAsync();
        await Eventually(() => a.State == VrrpState.Master && b.Instance.Counters.AdvertsReceived >= 2);

        tracker.Set("pool:web", -60); // 150 − 60 = 90 < 100: B preempts
        await Eventually(() => b.State == VrrpState.Master && a.State == VrrpState.Backup);
        Assert.Equal(90, a.Instance.EffectivePriority);
        Assert.Equal(150, a.Instance.GetStatus().Priority);

        tracker.Set("pool:web", 0); // back to 150: A preempts again
        await Eventually(() => a.State == VrrpState.Master && b.State == VrrpState.Backup);
        Assert.Equal(150, a.Instance.EffectivePriority);
    }

    [Fact]
    public async Task GarbageIsCountedAndIgnored()
    {
        await using var b = NodeB(UdpNode.Options("b", 100, intervalMs: 1000));
        await b.Instance.StartAsync();
        using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        sender.Bind(new IPEndPoint(AddressA, 0));
        sender.SendTo(new byte[] { 0x31, 0x33 }, B);                          // too short
        sender.SendTo(new byte[] { 0x31, 0x33, 0x96, 0x01, 0, 0x64, 0xde, 0xad, 127, 0, 0, 50 }, B); // bad checksum
        var good = new byte[64];
        var n = VrrpCodec.Encode(good, new VrrpHeader { Version = 3, Vrid = 52, Priority = 200, Interval = 100 }, [127, 0, 0, 50],
            AddressA.GetAddressBytes(), AddressB.GetAddressBytes(), VrrpChecksumForm.V3PseudoHeader);
        sender.SendTo(good.AsSpan(0, n), SocketFlags.None, B);                // other VRID
        n = VrrpCodec.Encode(good, new VrrpHeader { Version = 3, Vrid = 51, Priority = 200, Interval = 100 }, [127, 0, 0, 99],
            AddressA.GetAddressBytes(), AddressB.GetAddressBytes(), VrrpChecksumForm.V3PseudoHeader);
        sender.SendTo(good.AsSpan(0, n), SocketFlags.None, B);                // valid, other address list: counted, accepted

        var c = b.Instance.Counters;
        await Eventually(() => c.TotalDrops == 3 && c.AdvertsReceived == 1);
        Assert.Equal(1, c.Drops(VrrpDecodeStatus.TooShort));
        Assert.Equal(1, c.Drops(VrrpDecodeStatus.BadChecksum));
        Assert.Equal(1, c.Drops(VrrpDecodeStatus.UnknownVrid));
        Assert.Equal(1, c.AddressListMismatches);
        await Eventually(() => b.Instance.GetStatus().MasterPriority == 200);
        Assert.Equal(VrrpState.Backup, b.State);
    }

    [Fact]
    public async Task TwentyMillisecondIntervalHoldsAndFailsOver()
    {
        var a = NodeA(UdpNode.Options("a", 150, intervalMs: 20));
        await using var b = NodeB(UdpNode.Options("b", 100, intervalMs: 20));
        try
        {
            await a.Instance.StartAsync();
            await Eventually(() => a.State == VrrpState.Master);
            await b.Instance.StartAsync();
            await Eventually(() => b.Instance.Counters.AdvertsReceived >= 50 && b.State == VrrpState.Backup && a.State == VrrpState.Master);
            Assert.Equal(TimeSpan.FromMilliseconds(20), b.Instance.GetStatus().MasterAdverInterval);
            await a.Instance.StopAsync();
            await Eventually(() => b.State == VrrpState.Master);
            // Every advert but the resigning one was sent by a timer firing on the loop thread.
            var timerAdverts = a.Instance.Counters.AdvertsSent - a.Instance.Counters.PriorityZeroSent;
            Assert.True(timerAdverts >= 50);
            Assert.True(_loop.TimerFires >= timerAdverts,
                $"timer fires {_loop.TimerFires}, a sent {a.Instance.Counters.AdvertsSent}, b received {b.Instance.Counters.AdvertsReceived}, b sent {b.Instance.Counters.AdvertsSent}");
        }
        finally
        {
            await a.DisposeAsync();
        }
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task NotifyScriptRunsOnEachTransitionWithKeepalivedArguments()
    {
        var dir = Directory.CreateTempSubdirectory("vigil-notify-");
        try
        {
            var log = Path.Combine(dir.FullName, "transitions");
            var script = Path.Combine(dir.FullName, "notify.sh");
            File.WriteAllText(script, $"#!/bin/sh\necho \"$@\" >> '{log}'\n");
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var a = NodeA(UdpNode.Options("a", 150) with { NotifyScript = script });
            await a.Instance.StartAsync();
            await Eventually(() => File.Exists(log) && File.ReadAllLines(log).Length >= 2);
            await a.Instance.StopAsync();
            await a.DisposeAsync();
            Assert.Equal(["INSTANCE a BACKUP 150", "INSTANCE a MASTER 150", "INSTANCE a STOP 150"], File.ReadAllLines(log));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task MetricsAreObservedPerInstance()
    {
        await using var a = NodeA(UdpNode.Options("metrics-a", 150));
        await a.Instance.StartAsync();
        await Eventually(() => a.State == VrrpState.Master && a.Instance.Counters.AdvertsSent >= 2);

        var seen = new Dictionary<string, long>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == VrrpMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "instance" && (string?)tag.Value == "metrics-a" && tags.Length == 1)
                {
                    seen[instrument.Name] = value;
                }
            }
        });
        listener.Start();
        listener.RecordObservableInstruments();

        Assert.True(seen["vigil_vrrp_adverts_sent_total"] >= 2);
        Assert.Equal((long)VrrpState.Master, seen["vigil_vrrp_state"]);
        Assert.Equal(150, seen["vigil_vrrp_priority"]);
        Assert.Equal(1, seen["vigil_vrrp_transitions_total"] - 1); // Initialize -> Backup -> Master
    }
}
