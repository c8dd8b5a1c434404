using Vigil.Balancing.Health;

namespace Vigil.Balancing.Tests.Health;

public class HealthStateTests
{
    private static readonly DateTimeOffset T0 = TestPools.Start;

    [Fact]
    public void Goes_down_after_fall_consecutive_failures_with_reason_and_time()
    {
        var h = new HealthState(rise: 2, fall: 3, initiallyUp: true, T0);
        Assert.False(h.Record(false, "connection refused", T0.AddSeconds(1)));
        Assert.False(h.Record(false, "connection refused", T0.AddSeconds(2)));
        Assert.True(h.IsUp);
        Assert.True(h.Record(false, "status 503", T0.AddSeconds(3)));
        Assert.False(h.IsUp);
        Assert.Equal("status 503", h.Reason);
        Assert.Equal(T0.AddSeconds(3), h.Since);
    }

    [Fact]
    public void A_success_between_failures_restarts_the_fall_count()
    {
        var h = new HealthState(rise: 2, fall: 3, initiallyUp: true, T0);
        h.Record(false, "x", T0);
        h.Record(false, "x", T0);
        h.Record(true, "ok", T0);
        h.Record(false, "x", T0);
        Assert.False(h.Record(false, "x", T0));
        Assert.True(h.IsUp);
        Assert.True(h.Record(false, "x", T0));
    }

    [Fact]
    public void Comes_up_after_rise_consecutive_successes_and_a_failure_restarts_the_count()
    {
        var h = new HealthState(rise: 2, fall: 1, initiallyUp: false, T0);
        Assert.False(h.IsUp);
        Assert.False(h.Record(true, "ok", T0.AddSeconds(1)));
        Assert.False(h.Record(false, "timeout", T0.AddSeconds(2)));
        Assert.Equal("timeout", h.Reason);
        Assert.False(h.Record(true, "ok", T0.AddSeconds(3)));
        Assert.False(h.IsUp);
        Assert.True(h.Record(true, "ok", T0.AddSeconds(4)));
        Assert.True(h.IsUp);
        Assert.Equal(T0.AddSeconds(4), h.Since);
    }

    [Fact]
    public void Repeated_results_in_the_same_state_change_nothing_but_last_result()
    {
        var h = new HealthState(rise: 1, fall: 1, initiallyUp: true, T0);
        Assert.False(h.Record(true, "ok", T0.AddSeconds(5)));
        Assert.Equal(T0, h.Since);
        Assert.True(h.Record(false, "refused", T0.AddSeconds(6)));
        Assert.False(h.Record(false, "timeout", T0.AddSeconds(7)));
        Assert.Equal(T0.AddSeconds(6), h.Since);
        Assert.Equal("timeout", h.LastResult);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 0)]
    public void Rise_and_fall_must_be_positive(int rise, int fall) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new HealthState(rise, fall, true, T0));
}
