using Vigil.Balancing.Schedulers;

namespace Vigil.Balancing.Tests.Schedulers;

public class LeastConnectionsSchedulerTests
{
    [Fact]
    public void Prefers_the_idle_backend()
    {
        var backends = TestPools.Backends(1, 1, 1);
        var s = new LeastConnectionsScheduler();
        s.Update(backends, TimeSpan.Zero);
        using var l1 = backends[0].BeginRequest();
        using var l2 = backends[2].BeginRequest();
        for (var i = 0; i < 10; i++)
            Assert.Same(backends[1], s.Pick(TestPools.At(TestPools.Start)));
    }

    [Fact]
    public void Held_connections_spread_in_proportion_to_weight()
    {
        var backends = TestPools.Backends(3, 1, 2);
        var s = new LeastConnectionsScheduler();
        s.Update(backends, TimeSpan.Zero);
        var leases = new List<BackendLease>();
        for (var i = 0; i < 600; i++) leases.Add(s.Pick(TestPools.At(TestPools.Start))!.BeginRequest());
        // Least-connections keeps (active + 1) / weight level: 300 / 100 / 200, each within one.
        Assert.InRange(backends[0].Counters.Active, 299, 301);
        Assert.InRange(backends[1].Counters.Active, 99, 101);
        Assert.InRange(backends[2].Counters.Active, 199, 201);
        foreach (var l in leases) l.Dispose();
        Assert.All(backends, b => Assert.Equal(0, b.Counters.Active));
    }

    [Fact]
    public void Idle_ties_rotate_instead_of_piling_on_the_first()
    {
        var backends = TestPools.Backends(1, 1, 1, 1);
        var s = new LeastConnectionsScheduler();
        s.Update(backends, TimeSpan.Zero);
        var counts = TestPools.Count(_ => s.Pick(TestPools.At(TestPools.Start)), 400);
        Assert.All(backends, b => Assert.Equal(100, counts[b]));
    }
}
