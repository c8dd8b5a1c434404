using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Vigil.Balancing.Health;

namespace Vigil.Balancing.Tests.Health;

/// <summary>The prober against real origins on loopback, with short real intervals.</summary>
[Collection(TimingSensitive.Name)]
public class HealthProberTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);

    private static Pool NewPool(string name, HealthCheckOptions health, params IPEndPoint[] endpoints) => new(new PoolOptions
    {
        Name = name,
        Health = health,
        Backends = endpoints.Select(e => new BackendOptions(e.ToString(), e)).ToArray(),
    }, TimeProvider.System);

    [Fact]
    public async Task Http_backend_leaves_after_fall_failures_and_returns_after_rise_successes()
    {
        await using var origin = await HttpOrigin.StartAsync();
        var health = new HealthCheckOptions
        {
            Kind = HealthCheckKind.Http, Path = "/healthz", Interval = Interval,
            Timeout = TimeSpan.FromMilliseconds(500), Rise = 2, Fall = 3,
        };
        var pool = NewPool("web-prober", health, origin.EndPoint);
        var backend = pool.Backends[0];
        var log = new LogLines();
        // Probe counts at the moment of each change: the hysteresis is counted, not timed.
        var changes = new List<(bool Up, long Ok, long Failed, TimeSpan At)>();
        var clock = Stopwatch.StartNew();
        pool.EligibleChanged += p => { lock (changes) changes.Add((p.Eligible.Length > 0, backend.Counters.ChecksOk, backend.Counters.ChecksFailed, clock.Elapsed)); };
        int ChangeCount() { lock (changes) return changes.Count; }

        await using var prober = new HealthProber(pool, new HealthProbeFactory().Create(health), logger: log);
        prober.Start();
        Assert.True(await Loopback.WaitForAsync(() => backend.Counters.ChecksOk >= 2, Limit));
        // Up all along: a probe that timed out on a loaded machine may have failed once, but never Fall in a row.
        Assert.Empty(changes);

        var endpoint = origin.EndPoint;
        var failedBeforeStop = backend.Counters.ChecksFailed;
        var stoppedAt = clock.Elapsed;
        await origin.StopAsync();
        // Wait for the event, not the health state: the state flips just before the pool refreshes.
        Assert.True(await Loopback.WaitForAsync(() => ChangeCount() >= 1, Limit));
        var down = changes.Single();
        Assert.False(down.Up);
        Assert.Equal(health.Fall, down.Failed - failedBeforeStop);
        Assert.Equal("connection refused", backend.Health.Reason);
        Assert.Null(pool.Pick(new PickContext(0, DateTimeOffset.UtcNow)));
        // fall probes at interval +10% jitter, plus slack for a loaded 2-core machine.
        Assert.True(down.At - stoppedAt < health.Fall * Interval * 1.1 + TimeSpan.FromSeconds(2), $"down after {down.At - stoppedAt}");

        var okBeforeReturn = backend.Counters.ChecksOk;
        var restartedAt = clock.Elapsed;
        await origin.StartAsync(endpoint.Port);
        var failedAtReturn = backend.Counters.ChecksFailed;
        Assert.True(await Loopback.WaitForAsync(() => ChangeCount() >= 2, Limit));
        var up = changes.Last();
        Assert.Equal(2, changes.Count);
        Assert.True(up.Up);
        // Rise consecutive successes bring it back: exactly Rise of them, unless a probe failed after the origin was
        // back (a loaded machine: one run counted OK, failed, OK, OK), which restarts the count.
        Assert.True(up.Ok - okBeforeReturn == health.Rise || (up.Ok - okBeforeReturn > health.Rise && up.Failed > failedAtReturn),
            $"up after {up.Ok - okBeforeReturn} successes; failures since the return: {up.Failed - failedAtReturn}");
        Assert.True(up.At - restartedAt < health.Rise * Interval * 1.1 + TimeSpan.FromSeconds(2), $"up after {up.At - restartedAt}");
        Assert.Same(backend, pool.Pick(new PickContext(0, DateTimeOffset.UtcNow)));

        // One line per change, none per probe.
        Assert.Equal(
            [$"backend {endpoint} in pool web-prober is down: connection refused", $"backend {endpoint} in pool web-prober is up"],
            log.Lines.ToArray());
    }

    [Fact]
    public async Task Tcp_pool_with_every_backend_down_picks_nothing()
    {
        var live = new TcpListener(IPAddress.Loopback, 0);
        live.Start();
        var health = new HealthCheckOptions { Kind = HealthCheckKind.Tcp, Interval = Interval, Timeout = TimeSpan.FromMilliseconds(500), Rise = 1, Fall = 2 };
        var pool = NewPool("tcp-all-down", health, (IPEndPoint)live.LocalEndpoint, Loopback.ClosedPort());
        await using var prober = new HealthProber(pool, new TcpProbe());
        prober.Start();

        Assert.True(await Loopback.WaitForAsync(() => pool.Eligible.Length == 1, Limit));
        Assert.Same(pool.Backends[0], pool.Pick(new PickContext(0, DateTimeOffset.UtcNow)));
        live.Stop();
        Assert.True(await Loopback.WaitForAsync(() => pool.Eligible.Length == 0, Limit));

        Assert.Equal(0, pool.Eligible.Length);
        Assert.Null(pool.Pick(new PickContext(0, DateTimeOffset.UtcNow)));
        Assert.All(pool.Backends, b => Assert.Equal("connection refused", b.Health.Reason));
    }

    [Fact]
    public async Task A_probe_that_hangs_fails_by_timeout()
    {
        // A listener that accepts (the kernel completes the handshake) but never answers the GET:
        // a real socket and a real stall, which only the prober's timeout can end.
        var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        try
        {
            var health = new HealthCheckOptions { Kind = HealthCheckKind.Http, Interval = TimeSpan.FromSeconds(10), Timeout = TimeSpan.FromMilliseconds(200), Rise = 1, Fall = 1 };
            var pool = NewPool("stall", health, (IPEndPoint)silent.LocalEndpoint);
            await using var prober = new HealthProber(pool, new HttpProbe(health));
            var clock = Stopwatch.StartNew();
            await prober.ProbeOnceAsync(pool.Backends[0], CancellationToken.None);
            Assert.False(pool.Backends[0].Health.IsUp);
            Assert.Equal("timeout after 200ms", pool.Backends[0].Health.Reason);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        }
        finally
        {
            silent.Stop();
        }
    }
}
