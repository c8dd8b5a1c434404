using Vigil.Balancing.Schedulers;

namespace Vigil.Balancing.Tests.Schedulers;

public class PowerOfTwoSchedulerTests
{
    [Fact]
    public void Held_connections_spread_evenly()
    {
        var backends = TestPools.Backends(Enumerable.Repeat(1, 10).ToArray());
        var s = new PowerOfTwoScheduler();
        s.Update(backends, TimeSpan.Zero);
        var leases = new List<BackendLease>();
        for (var i = 0; i < 1000; i++) leases.Add(s.Pick(TestPools.At(TestPools.Start))!.BeginRequest());
        // Two choices keep the gap between busiest and idlest at a few connections (theory: the
        // maximum exceeds the mean by O(log log n)); one random choice would leave a gap near 30.
        var active = backends.Select(b => b.Counters.Active).ToArray();
        Assert.True(active.Max() - active.Min() <= 6, $"loads {string.Join(",", active)}");
        foreach (var l in leases) l.Dispose();
    }

    [Fact]
    public void Of_two_backends_always_takes_the_less_busy()
    {
        var backends = TestPools.Backends(1, 1);
        var s = new PowerOfTwoScheduler();
        s.Update(backends, TimeSpan.Zero);
        using var busy = backends[0].BeginRequest();
        for (var i = 0; i < 50; i++)
            Assert.Same(backends[1], s.Pick(TestPools.At(TestPools.Start)));
    }

    [Fact]
    public void Weight_raises_share_of_idle_picks()
    {
        var backends = TestPools.Backends(4, 1);
        var s = new PowerOfTwoScheduler();
        s.Update(backends, TimeSpan.Zero);
        using var one = backends[0].BeginRequest();
        // (1 + 1) / 4 < (0 + 1) / 1: the heavier backend still wins with one request in flight.
        Assert.Same(backends[0], s.Pick(TestPools.At(TestPools.Start)));
    }

    [Fact]
    public void Single_backend_and_empty_set()
    {
        var s = new PowerOfTwoScheduler();
        Assert.Null(s.Pick(TestPools.At(TestPools.Start)));
        var backends = TestPools.Backends(1);
        s.Update(backends, TimeSpan.Zero);
        Assert.Same(backends[0], s.Pick(TestPools.At(TestPools.Start)));
    }
}
