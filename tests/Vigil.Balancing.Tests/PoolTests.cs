using Microsoft.Extensions.Time.Testing;
using Vigil.Balancing.Health;

namespace Vigil.Balancing.Tests;

public class PoolTests
{
    private readonly FakeTimeProvider _time = new(TestPools.Start);

    private PickContext Now(ulong hash = 0) => TestPools.At(_time.GetUtcNow(), hash);

    [Fact]
    public void Backups_take_traffic_only_when_no_primary_is_eligible()
    {
        var pool = TestPools.Pool(_time, SchedulerKind.RoundRobin,
            TestPools.Options(0), TestPools.Options(1), TestPools.Options(2, backup: true));
        var (p0, p1, backup) = (pool.Backends[0], pool.Backends[1], pool.Backends[2]);

        Assert.DoesNotContain(backup, Picks(pool, 20));
        TestPools.MarkDown(pool, p0, _time.GetUtcNow());
        Assert.All(Picks(pool, 20), b => Assert.Same(p1, b));
        Assert.True(pool.HasEligiblePrimary);

        TestPools.MarkDown(pool, p1, _time.GetUtcNow());
        Assert.False(pool.HasEligiblePrimary);
        Assert.All(Picks(pool, 20), b => Assert.Same(backup, b));

        TestPools.MarkUp(pool, p1, _time.GetUtcNow());
        Assert.All(Picks(pool, 20), b => Assert.Same(p1, b));
    }

    [Fact]
    public void A_pool_with_every_backend_down_picks_nothing()
    {
        var pool = TestPools.Pool(_time, SchedulerKind.LeastConnections, TestPools.Options(0), TestPools.Options(1));
        foreach (var b in pool.Backends) TestPools.MarkDown(pool, b, _time.GetUtcNow());
        Assert.Null(pool.Pick(Now()));
        Assert.Null(pool.PickOther(Now(), pool.Backends[0]));
    }

    [Theory]
    [InlineData(AdminState.Draining, "draining")]
    [InlineData(AdminState.Disabled, "disabled")]
    public void Drain_and_disable_stop_new_picks_while_leases_in_flight_keep_counting(AdminState state, string name)
    {
        var pool = TestPools.Pool(_time, SchedulerKind.LeastConnections, TestPools.Options(0), TestPools.Options(1));
        var target = pool.Backends[0];
        var lease = target.BeginRequest();

        Assert.True(pool.SetAdminState(target.Address, state));
        Assert.Equal(name, target.StateName(_time.GetUtcNow()));
        Assert.DoesNotContain(target, Picks(pool, 20));
        Assert.Equal(1, target.Counters.Active);
        lease.Dispose();
        Assert.Equal(0, target.Counters.Active);

        Assert.True(pool.SetAdminState(target.Address, AdminState.Enabled));
        Assert.Contains(target, Picks(pool, 20));
        Assert.False(pool.SetAdminState("127.0.0.99:1", state));
    }

    [Fact]
    public void Consecutive_failures_eject_until_the_ejection_time_passes()
    {
        var pool = TestPools.Pool(_time, new PoolOptions
        {
            Name = "test",
            Backends = [TestPools.Options(0), TestPools.Options(1)],
            Outlier = new OutlierOptions(ConsecutiveFailures: 3, EjectFor: TimeSpan.FromSeconds(30)),
        });
        var bad = pool.Backends[0];
        var changes = 0;
        pool.EligibleChanged += _ => changes++;

        // A success between failures restarts the count.
        pool.ReportResult(bad, false);
        pool.ReportResult(bad, false);
        pool.ReportResult(bad, true);
        pool.ReportResult(bad, false);
        pool.ReportResult(bad, false);
        Assert.Contains(bad, Picks(pool, 10));
        pool.ReportResult(bad, false);

        Assert.Equal(1, changes);
        Assert.Equal("ejected", bad.StateName(_time.GetUtcNow()));
        Assert.DoesNotContain(bad, Picks(pool, 10));
        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.DoesNotContain(bad, Picks(pool, 10));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Contains(bad, Picks(pool, 10));
        Assert.Equal(2, changes);
        Assert.Equal("up", bad.StateName(_time.GetUtcNow()));
        Assert.Equal(5, bad.Counters.Failures);
    }

    [Fact]
    public void Eligible_changed_is_raised_only_on_a_change()
    {
        var pool = TestPools.Pool(_time, SchedulerKind.RoundRobin, TestPools.Options(0));
        var changes = 0;
        pool.EligibleChanged += _ => changes++;
        pool.Refresh();
        Assert.Equal(0, changes);
        TestPools.MarkDown(pool, pool.Backends[0], _time.GetUtcNow());
        pool.Refresh();
        pool.Refresh();
        Assert.Equal(1, changes);
    }

    [Fact]
    public void Pick_other_never_returns_the_excluded_backend()
    {
        var pool = TestPools.Pool(_time, SchedulerKind.ConsistentHash, TestPools.Options(0), TestPools.Options(1), TestPools.Options(2));
        for (ulong k = 0; k < 200; k++)
        {
            var first = pool.Pick(Now(k))!;
            var other = pool.PickOther(Now(k), first);
            Assert.NotNull(other);
            Assert.NotSame(first, other);
        }
    }

    [Fact]
    public void Reload_keeps_unchanged_backends_with_their_state_and_leases()
    {
        var options = new PoolOptions { Name = "test", Backends = [TestPools.Options(0), TestPools.Options(1)] };
        var old = TestPools.Pool(_time, options);
        var lease = old.Backends[0].BeginRequest();
        TestPools.MarkDown(old, old.Backends[1], _time.GetUtcNow());

        var reloaded = new Pool(options with { Backends = [TestPools.Options(0), TestPools.Options(1, weight: 3)] }, _time, old);

        Assert.Same(old.Backends[0], reloaded.Backends[0]);
        Assert.Equal(1, reloaded.Backends[0].Counters.Active);
        Assert.NotSame(old.Backends[1], reloaded.Backends[1]); // weight changed: a new backend
        lease.Dispose();
        Assert.Equal(0, reloaded.Backends[0].Counters.Active);
    }

    private Backend[] Picks(Pool pool, int count) =>
        Enumerable.Range(0, count).Select(i => pool.Pick(Now((ulong)i)) ?? throw new InvalidOperationException("none")).ToArray();
}
