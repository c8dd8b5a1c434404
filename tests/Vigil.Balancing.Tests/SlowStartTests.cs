using Microsoft.Extensions.Time.Testing;

namespace Vigil.Balancing.Tests;

/// <summary>A backend that comes back ramps its share over the slow-start time, for each weighted scheduler.</summary>
public class SlowStartTests
{
    private static readonly TimeSpan SlowStart = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData(SchedulerKind.WeightedRoundRobin)]
    [InlineData(SchedulerKind.PowerOfTwo)]
    [InlineData(SchedulerKind.LeastConnections)]
    public void Share_of_a_returning_backend_ramps_up_to_its_weight(SchedulerKind kind)
    {
        var time = new FakeTimeProvider(TestPools.Start);
        var pool = TestPools.Pool(time, new PoolOptions
        {
            Name = "test",
            Scheduler = kind,
            SlowStart = SlowStart,
            Backends = [TestPools.Options(0), TestPools.Options(1)],
        });
        var back = pool.Backends[1];
        TestPools.MarkDown(pool, back, time.GetUtcNow());
        time.Advance(TimeSpan.FromMinutes(1));
        TestPools.MarkUp(pool, back, time.GetUtcNow());

        // Share with 1000 requests held in flight (least-connections and power-of-two balance what
        // is in flight; round-robin balances picks, which comes to the same here).
        double ShareAfter(double seconds)
        {
            time.SetUtcNow(back.Health.Since + TimeSpan.FromSeconds(seconds));
            var leases = new List<BackendLease>();
            for (var i = 0; i < 1000; i++) leases.Add(pool.Pick(TestPools.At(time.GetUtcNow()))!.BeginRequest());
            var share = back.Counters.Active / 1000.0;
            foreach (var l in leases) l.Dispose();
            return share;
        }

        // Effective weight f of 1 against 1: share f / (1 + f). At 2 s, f = 0.2: 1/6 ≈ 0.17;
        // at 5 s, f = 0.5: 1/3; from 10 s, 1/2. Tolerance ±0.06 (randomised schedulers).
        Assert.InRange(ShareAfter(2), 0.11, 0.23);
        Assert.InRange(ShareAfter(5), 0.27, 0.39);
        Assert.InRange(ShareAfter(10), 0.44, 0.56);
    }

    [Fact]
    public void Effective_weight_is_full_at_boot_and_ramps_after_a_return()
    {
        var time = new FakeTimeProvider(TestPools.Start);
        var pool = TestPools.Pool(time, new PoolOptions
        {
            Name = "test",
            SlowStart = SlowStart,
            Backends = [TestPools.Options(0, weight: 10), TestPools.Options(1, weight: 10)],
        });
        var b = pool.Backends[0];
        Assert.Equal(10, b.EffectiveWeight(SlowStart, time.GetUtcNow()));
        TestPools.MarkDown(pool, b, time.GetUtcNow());
        TestPools.MarkUp(pool, b, time.GetUtcNow());
        Assert.Equal(0.5, b.EffectiveWeight(SlowStart, time.GetUtcNow())); // floor: 5% of weight
        Assert.Equal(3, b.EffectiveWeight(SlowStart, time.GetUtcNow().AddSeconds(3)), 6);
        Assert.Equal(10, b.EffectiveWeight(SlowStart, time.GetUtcNow().AddSeconds(10)));
    }
}
