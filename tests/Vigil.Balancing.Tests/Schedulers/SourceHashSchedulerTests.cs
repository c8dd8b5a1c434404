using Vigil.Balancing.Schedulers;

namespace Vigil.Balancing.Tests.Schedulers;

public class SourceHashSchedulerTests
{
    [Fact]
    public void Same_client_gets_same_backend_across_calls_and_instances()
    {
        var backends = TestPools.Backends(1, 1, 1, 1);
        var a = new SourceHashScheduler();
        var b = new SourceHashScheduler();
        a.Update(backends, TimeSpan.Zero);
        b.Update(backends, TimeSpan.Zero);
        for (ulong client = 0; client < 1000; client++)
        {
            var first = a.Pick(TestPools.At(TestPools.Start, client));
            Assert.Same(first, a.Pick(TestPools.At(TestPools.Start, client)));
            Assert.Same(first, b.Pick(TestPools.At(TestPools.Start, client)));
        }
    }

    [Fact]
    public void Clients_spread_in_proportion_to_weight_within_5_percent()
    {
        var backends = TestPools.Backends(2, 1, 1);
        var s = new SourceHashScheduler();
        s.Update(backends, TimeSpan.Zero);
        // Sequential client ids (like consecutive IPv4 addresses) must spread too: the key is mixed.
        var counts = TestPools.Count(i => s.Pick(TestPools.At(TestPools.Start, (ulong)i)), 40_000);
        Assert.InRange(counts[backends[0]], 19_000, 21_000);
        Assert.InRange(counts[backends[1]], 9_500, 10_500);
        Assert.InRange(counts[backends[2]], 9_500, 10_500);
    }
}
