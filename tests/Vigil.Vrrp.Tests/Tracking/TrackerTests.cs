using Microsoft.Extensions.Time.Testing;
using Vigil.Vrrp.Tests.Integration;
using Vigil.Vrrp.Tests.Lab;
using Vigil.Vrrp.Tracking;

namespace Vigil.Vrrp.Tests.Tracking;

/// <summary>Check scripts and interface state turn into priority adjustments, with keepalived's weight rules.</summary>
public sealed class TrackerTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("vigil-track-");

    public void Dispose() => _dir.Delete(recursive: true);

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private (string Script, string State) Script(int exitCode)
    {
        var state = Path.Combine(_dir.FullName, "state");
        File.WriteAllText(state, exitCode.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var script = Path.Combine(_dir.FullName, "check.sh");
        File.WriteAllText(script, $"#!/bin/sh\nexit $(cat '{state}')\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return (script, state);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task FailingScriptAppliesNegativeWeightAfterFall()
    {
        var (script, state) = Script(0);
        var clock = new FakeTimeProvider();
        var adjustments = new PriorityAdjustments();
        var changes = 0;
        adjustments.Changed += (_, _) => Interlocked.Increment(ref changes);
        await using var tracker = new CheckScriptTracker(adjustments, "web", script, TimeSpan.FromSeconds(2), weight: -30, rise: 1, fall: 2, time: clock);
        tracker.Start();
        Assert.True(await UdpNode.WaitFor(() => tracker.Checks == 1, Patience));
        Assert.True(tracker.Passing);
        Assert.Equal(0, adjustments.PriorityAdjustment);

        File.WriteAllText(state, "1");
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.True(await UdpNode.WaitFor(() => tracker.Checks == 2, Patience));
        Assert.True(tracker.Passing); // one failure, fall is 2
        Assert.Equal(0, adjustments.PriorityAdjustment);

        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.True(await UdpNode.WaitFor(() => tracker.Checks == 3, Patience));
        Assert.False(tracker.Passing);
        Assert.Equal(-30, adjustments.PriorityAdjustment);
        Assert.Equal(1, changes);

        File.WriteAllText(state, "0");
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.True(await UdpNode.WaitFor(() => tracker.Checks == 4, Patience));
        Assert.True(tracker.Passing);
        Assert.Equal(0, adjustments.PriorityAdjustment);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task PassingScriptAppliesPositiveWeight()
    {
        var (script, _) = Script(0);
        var adjustments = new PriorityAdjustments();
        adjustments.Set("pool:web", -5);
        await using var tracker = new CheckScriptTracker(adjustments, "db", script, TimeSpan.FromSeconds(30), weight: 20, time: new FakeTimeProvider());
        tracker.Start();
        Assert.True(await UdpNode.WaitFor(() => tracker.Checks == 1, Patience));
        Assert.Equal(15, adjustments.PriorityAdjustment);
        Assert.Equal(20, adjustments.Snapshot()["script:db"]);
    }

    [Fact]
    public async Task MissingScriptCountsAsFailing()
    {
        var adjustments = new PriorityAdjustments();
        await using var tracker = new CheckScriptTracker(adjustments, "gone", Path.Combine(_dir.FullName, "missing.sh"), TimeSpan.FromSeconds(30), weight: -10, time: new FakeTimeProvider());
        tracker.Start();
        Assert.True(await UdpNode.WaitFor(() => tracker.Checks == 1, Patience));
        Assert.Equal(-10, adjustments.PriorityAdjustment);
    }

    [LabFact]
    public async Task InterfaceDownAppliesWeight()
    {
        using var lab = new NetnsLab(("a", "10.77.0.11/24", "02:77:00:00:00:11"));
        var adjustments = new PriorityAdjustments();
        await using var tracker = new InterfaceTracker(adjustments, "eth0", -50, TimeSpan.FromMilliseconds(50), lab.Ns("a"));
        tracker.Start();
        Assert.True(await UdpNode.WaitFor(() => tracker.IsUp == true, Patience));
        Assert.Equal(0, adjustments.PriorityAdjustment);
        NetnsLab.Ip("-n", lab.Ns("a"), "link", "set", "eth0", "down");
        Assert.True(await UdpNode.WaitFor(() => adjustments.PriorityAdjustment == -50, Patience));
        NetnsLab.Ip("-n", lab.Ns("a"), "link", "set", "eth0", "up");
        Assert.True(await UdpNode.WaitFor(() => adjustments.PriorityAdjustment == 0, Patience));
    }
}
