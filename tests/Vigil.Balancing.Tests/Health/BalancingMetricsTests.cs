using System.Diagnostics.Metrics;
using Microsoft.Extensions.Time.Testing;
using Vigil.Balancing.Health;

namespace Vigil.Balancing.Tests.Health;

public class BalancingMetricsTests
{
    [Fact]
    public async Task Check_results_and_backend_up_are_published()
    {
        var time = new FakeTimeProvider(TestPools.Start);
        var health = new HealthCheckOptions { Kind = HealthCheckKind.Tcp, Rise = 1, Fall = 1, Timeout = TimeSpan.FromSeconds(2) };
        var closed = Loopback.ClosedPort();
        var pool = new Pool(new PoolOptions
        {
            Name = "metrics-" + Guid.NewGuid().ToString("N"),
            Health = health,
            Backends = [new BackendOptions(closed.ToString(), closed)],
        }, time);
        var checks = new List<(long Value, string Result)>();
        var up = new List<int>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == BalancingMetrics.MeterName) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (instrument.Name == "vigil_health_checks_total" && Tag(tags, "pool") == pool.Name)
                lock (checks) checks.Add((value, Tag(tags, "result")!));
        });
        listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) =>
        {
            if (instrument.Name == "vigil_backend_up" && Tag(tags, "pool") == pool.Name && Tag(tags, "backend") == closed.ToString())
                lock (up) up.Add(value);
        });
        listener.Start();

        await using var prober = new HealthProber(pool, new TcpProbe(), time);
        prober.Start(); // tracks the pool; the loops wait on the fake clock, so probes are driven by hand
        listener.RecordObservableInstruments();
        await prober.ProbeOnceAsync(pool.Backends[0], CancellationToken.None);
        await prober.ProbeOnceAsync(pool.Backends[0], CancellationToken.None);
        listener.RecordObservableInstruments();

        Assert.Equal([(1L, "failed"), (1L, "failed")], checks);
        Assert.Equal([1, 0], up);
        Assert.Equal(2, pool.Backends[0].Counters.ChecksFailed);
        Assert.Equal(0, pool.Backends[0].Counters.ChecksOk);
    }

    private static string? Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string key)
    {
        foreach (var t in tags)
            if (t.Key == key) return t.Value as string;
        return null;
    }
}
