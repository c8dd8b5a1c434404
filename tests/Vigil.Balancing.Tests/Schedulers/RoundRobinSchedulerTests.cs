using Vigil.Balancing.Schedulers;

namespace Vigil.Balancing.Tests.Schedulers;

public class RoundRobinSchedulerTests
{
    [Fact]
    public void Visits_each_backend_in_turn_ignoring_weights()
    {
        var backends = TestPools.Backends(5, 1, 1);
        var s = new RoundRobinScheduler();
        s.Update(backends, TimeSpan.Zero);
        var picks = Enumerable.Range(0, 6).Select(_ => s.Pick(TestPools.At(TestPools.Start))).ToArray();
        Assert.Equal([backends[0], backends[1], backends[2], backends[0], backends[1], backends[2]], picks);
    }

    [Fact]
    public void Empty_set_picks_nothing()
    {
        var s = new RoundRobinScheduler();
        s.Update([], TimeSpan.Zero);
        Assert.Null(s.Pick(TestPools.At(TestPools.Start)));
    }
}
