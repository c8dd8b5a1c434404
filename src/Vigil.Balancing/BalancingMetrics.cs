using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Vigil.Balancing;

/// <summary>
/// The balancing library's instruments (Meter "Vigil.Balancing"), exported by the host at /metrics:
/// <c>vigil_backend_up</c> and <c>vigil_backend_bytes_total</c> per pool and backend, <c>vigil_health_checks_total</c> by result.
/// </summary>
public static class BalancingMetrics
{
    public const string MeterName = "Vigil.Balancing";

    private static readonly Meter Meter = new(MeterName);
    private static readonly ConcurrentDictionary<Pool, byte> Pools = new();

    internal static readonly Counter<long> HealthChecks = Meter.CreateCounter<long>(
        "vigil_health_checks_total", description: "Active health check results by pool, backend and result (ok, failed).");

    static BalancingMetrics()
    {
        Meter.CreateObservableGauge("vigil_backend_up", ObserveUp,
            description: "1 when the backend passes its health checks and is not ejected, else 0.");
        Meter.CreateObservableCounter("vigil_backend_bytes_total", ObserveBytes, unit: "By",
            description: "Bytes exchanged with the backend, L7 and L4 alike (in: from the backend, out: to it), per pool and backend.");
    }

    /// <summary>Publishes the pool's backends in <c>vigil_backend_up</c> until <see cref="Untrack"/>.</summary>
    public static void Track(Pool pool) => Pools.TryAdd(pool, 0);

    public static void Untrack(Pool pool) => Pools.TryRemove(pool, out _);

    internal static void RecordCheck(Pool pool, Backend backend, bool ok) =>
        HealthChecks.Add(1,
            new KeyValuePair<string, object?>("pool", pool.Name),
            new KeyValuePair<string, object?>("backend", backend.Address),
            new KeyValuePair<string, object?>("result", ok ? "ok" : "failed"));

    private static IEnumerable<Measurement<long>> ObserveBytes()
    {
        foreach (var pool in Pools.Keys)
        {
            foreach (var b in pool.Backends)
            {
                var backend = new KeyValuePair<string, object?>("backend", b.Address);
                var name = new KeyValuePair<string, object?>("pool", pool.Name);
                yield return new Measurement<long>(b.Counters.BytesIn, name, backend, new("direction", "in"));
                yield return new Measurement<long>(b.Counters.BytesOut, name, backend, new("direction", "out"));
            }
        }
    }

    // Read at scrape time from the objects themselves, so nothing is updated on the data path.
    private static IEnumerable<Measurement<int>> ObserveUp()
    {
        foreach (var pool in Pools.Keys)
        {
            var now = pool.Time.GetUtcNow();
            foreach (var b in pool.Backends)
                yield return new Measurement<int>(b.Health.IsUp && !b.IsEjected(now) ? 1 : 0,
                    new KeyValuePair<string, object?>("pool", pool.Name),
                    new KeyValuePair<string, object?>("backend", b.Address));
        }
    }
}
