using Vigil.Balancing.Schedulers;

namespace Vigil.Balancing.Tests.Schedulers;

public class SmoothWeightedRoundRobinSchedulerTests
{
    [Fact]
    public void Weights_5_1_1_give_nginx_sequence_a_a_b_a_c_a_a()
    {
        var backends = TestPools.Backends(5, 1, 1);
        var s = new SmoothWeightedRoundRobinScheduler();
        s.Update(backends, TimeSpan.Zero);
        var names = new string(Enumerable.Range(0, 14)
            .Select(_ => (char)('a' + Array.IndexOf(backends, s.Pick(TestPools.At(TestPools.Start))))).ToArray());
        // Two full cycles: the sequence repeats every sum-of-weights picks.
        Assert.Equal("aabacaaaabacaa", names);
    }

    [Fact]
    public void Shares_follow_weights_exactly_over_whole_cycles()
    {
        var backends = TestPools.Backends(3, 2, 1, 10);
        var s = new SmoothWeightedRoundRobinScheduler();
        s.Update(backends, TimeSpan.Zero);
        var counts = TestPools.Count(_ => s.Pick(TestPools.At(TestPools.Start)), 16 * 100);
        Assert.Equal([300, 200, 100, 1000], backends.Select(b => counts[b]));
    }

    [Fact]
    public void Concurrent_picks_keep_exact_shares()
    {
        // Each pick takes its own position of the cycle, so concurrent callers together still see
        // whole cycles: a lost update would show up as a count off by one or more.
        var backends = TestPools.Backends(4, 2, 1);
        var s = new SmoothWeightedRoundRobinScheduler();
        s.Update(backends, TimeSpan.Zero);
        var counts = new int[3];
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, _ =>
        {
            for (var i = 0; i < 7 * 5000; i++)
                Interlocked.Increment(ref counts[Array.IndexOf(backends, s.Pick(TestPools.At(TestPools.Start)))]);
        });
        Assert.Equal([4 * 4 * 5000, 2 * 4 * 5000, 1 * 4 * 5000], counts);
    }

    [Fact]
    public void Equal_weights_are_reduced_to_a_short_cycle()
    {
        var cycle = SmoothWeightedRoundRobinScheduler.BuildCycle(TestPools.Backends(100, 100, 50));
        Assert.Equal(5, cycle.Length);
    }

    [Fact]
    public void Empty_set_picks_nothing()
    {
        var s = new SmoothWeightedRoundRobinScheduler();
        s.Update([], TimeSpan.FromSeconds(10));
        Assert.Null(s.Pick(TestPools.At(TestPools.Start)));
    }
}
