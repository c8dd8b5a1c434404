using Microsoft.Extensions.Time.Testing;

namespace Vigil.Balancing.Tests;

/// <summary>Pick runs on many threads while health changes rebuild the snapshot.</summary>
[Collection(TimingSensitive.Name)]
public class ConcurrentPickTests
{
    [Theory]
    [InlineData(SchedulerKind.RoundRobin)]
    [InlineData(SchedulerKind.WeightedRoundRobin)]
    [InlineData(SchedulerKind.LeastConnections)]
    [InlineData(SchedulerKind.SourceHash)]
    [InlineData(SchedulerKind.ConsistentHash)]
    [InlineData(SchedulerKind.PowerOfTwo)]
    public async Task Picks_during_refreshes_only_return_backends_that_were_ever_eligible(SchedulerKind kind)
    {
        var time = new FakeTimeProvider(TestPools.Start);
        var pool = TestPools.Pool(time, kind, TestPools.Options(0, 2), TestPools.Options(1), TestPools.Options(2, 3));
        var stable = pool.Backends[0];
        var flapping = pool.Backends[1];
        var neverUp = pool.Backends[2];
        TestPools.MarkDown(pool, neverUp, time.GetUtcNow());

        using var stop = new CancellationTokenSource();
        var started = new CountdownEvent(3);
        // Dedicated threads: spinning pickers must not starve the thread pool that other tests'
        // sockets and timers run on.
        var pickers = Enumerable.Range(0, 3).Select(t => Task.Factory.StartNew(() =>
        {
            started.Signal();
            var picks = 0L;
            for (ulong k = (ulong)t; !stop.IsCancellationRequested && picks < 5_000_000; k += 3, picks++)
            {
                using var lease = (pool.Pick(TestPools.At(TestPools.Start, k)) ?? throw new InvalidOperationException("null pick")).BeginRequest();
                if (lease.Backend == neverUp) throw new InvalidOperationException("picked a down backend");
            }
            return picks;
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
        Assert.True(started.Wait(TimeSpan.FromSeconds(10)));

        // Bounded: 40 flaps, each rebuilding the scheduler's snapshot twice, with picks in between.
        for (var i = 0; i < 40; i++)
        {
            TestPools.MarkDown(pool, flapping, time.GetUtcNow());
            Thread.Sleep(1);
            TestPools.MarkUp(pool, flapping, time.GetUtcNow());
            Thread.Sleep(1);
        }
        await stop.CancelAsync();
        var counts = await Task.WhenAll(pickers);

        Assert.All(counts, c => Assert.True(c > 0));
        Assert.All(pool.Backends, b => Assert.Equal(0, b.Counters.Active));
        Assert.Equal(counts.Sum(), pool.Backends.Sum(b => b.Counters.Requests));
        Assert.Equal(0, neverUp.Counters.Requests);
        Assert.True(stable.Counters.Requests > 0);
    }
}
