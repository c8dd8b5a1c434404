using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using Vigil.Balancing.Health;

namespace Vigil.Balancing.Tests.Health;

/// <summary>The prober's timing comes from its TimeProvider: intervals and timeouts on a fake clock, real sockets.</summary>
[Collection(TimingSensitive.Name)]
public class HealthProberClockTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);

    private static Pool NewPool(FakeTimeProvider time, HealthCheckOptions health, IPEndPoint endpoint) => new(new PoolOptions
    {
        Name = "clock",
        Health = health,
        Backends = [new BackendOptions(endpoint.ToString(), endpoint)],
    }, time);

    [Fact]
    public async Task Probes_once_per_interval_of_the_injected_clock()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var time = new FakeTimeProvider(TestPools.Start);
            var health = new HealthCheckOptions { Kind = HealthCheckKind.Tcp, Interval = TimeSpan.FromSeconds(2), Timeout = TimeSpan.FromSeconds(1) };
            var pool = NewPool(time, health, (IPEndPoint)listener.LocalEndpoint);
            var counters = pool.Backends[0].Counters;
            await using var prober = new HealthProber(pool, new TcpProbe());
            prober.Start();

            // Nothing happens while the fake clock stands still, however long real time runs.
            await Task.Delay(300);
            Assert.Equal(0, counters.ChecksOk);

            // The first probe falls within one interval, then one per interval ±10%: after each
            // 2.2 s step exactly one more probe has run (a step of 2.2 s always passes one jittered
            // interval of 1.8–2.2 s and never two).
            for (var expected = 1; expected <= 4; expected++)
            {
                time.Advance(TimeSpan.FromSeconds(expected == 1 ? 2 : 2.2));
                var target = expected;
                Assert.True(await Loopback.WaitForAsync(() => counters.ChecksOk >= target, Limit), $"probe {expected} never ran");
                await Task.Delay(50);
                Assert.Equal(expected, counters.ChecksOk);
            }
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public async Task Timeout_is_measured_on_the_injected_clock()
    {
        // Accepts but never answers the GET: only the timeout can end the probe.
        var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        try
        {
            var time = new FakeTimeProvider(TestPools.Start);
            var health = new HealthCheckOptions { Kind = HealthCheckKind.Http, Interval = TimeSpan.FromSeconds(5), Timeout = TimeSpan.FromSeconds(3), Fall = 1 };
            var pool = NewPool(time, health, (IPEndPoint)silent.LocalEndpoint);
            await using var prober = new HealthProber(pool, new HttpProbe(health with { Timeout = TimeSpan.FromMinutes(1) }));
            var probe = prober.ProbeOnceAsync(pool.Backends[0], CancellationToken.None);

            await Task.Delay(300);
            Assert.False(probe.IsCompleted);
            time.Advance(TimeSpan.FromSeconds(3));
            await probe.WaitAsync(Limit);
            Assert.Equal("timeout after 3000ms", pool.Backends[0].Health.Reason);
            Assert.Equal(1, pool.Backends[0].Counters.ChecksFailed);
        }
        finally
        {
            silent.Stop();
        }
    }

    [Fact]
    public async Task Stop_cancels_a_probe_in_flight_without_waiting_for_its_timeout()
    {
        var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        try
        {
            var health = new HealthCheckOptions { Kind = HealthCheckKind.Http, Interval = TimeSpan.FromMilliseconds(10), Timeout = TimeSpan.FromMinutes(5) };
            var pool = new Pool(new PoolOptions
            {
                Name = "stop",
                Health = health,
                Backends = [new BackendOptions(silent.LocalEndpoint.ToString()!, (IPEndPoint)silent.LocalEndpoint)],
            }, TimeProvider.System);
            var prober = new HealthProber(pool, new HttpProbe(health));
            prober.Start();
            // Wait until the probe is connected and waiting for an answer that never comes.
            using var accepted = await silent.AcceptSocketAsync().WaitAsync(Limit);

            var clock = Stopwatch.StartNew();
            await prober.StopAsync().WaitAsync(Limit);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"stop took {clock.Elapsed}");
            // A cancelled probe is not a failed check.
            Assert.Equal(0, pool.Backends[0].Counters.ChecksFailed);
            Assert.True(pool.Backends[0].Health.IsUp);
        }
        finally
        {
            silent.Stop();
        }
    }
}
