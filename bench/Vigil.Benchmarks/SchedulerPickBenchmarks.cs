using System.Net;
using BenchmarkDotNet.Attributes;
using Vigil.Balancing;

namespace Vigil.Benchmarks;

/// <summary>
/// Cost of <see cref="Pool.Pick"/> (the call made once per request or connection) for each scheduler
/// over a small and a large pool. Weights vary 1–4 so weighted schedulers do real work; every
/// backend is idle, so least-connections and power-of-two compare equal loads.
/// </summary>
[MemoryDiagnoser]
public class SchedulerPickBenchmarks
{
    private Pool _pool = null!;
    private ulong _key;
    private DateTimeOffset _now;

    [Params(SchedulerKind.RoundRobin, SchedulerKind.WeightedRoundRobin, SchedulerKind.LeastConnections,
        SchedulerKind.SourceHash, SchedulerKind.ConsistentHash, SchedulerKind.PowerOfTwo)]
    public SchedulerKind Scheduler { get; set; }

    [Params(3, 100)]
    public int Backends { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var backends = new BackendOptions[Backends];
        for (var i = 0; i < Backends; i++)
        {
            var endpoint = new IPEndPoint(IPAddress.Loopback, 10000 + i);
            backends[i] = new BackendOptions(endpoint.ToString(), endpoint, Weight: 1 + i % 4);
        }
        _pool = new Pool(new PoolOptions { Name = "bench", Backends = backends, Scheduler = Scheduler }, TimeProvider.System);
        _now = DateTimeOffset.UtcNow;
    }

    [Benchmark]
    public Backend? Pick() => _pool.Pick(new PickContext(_key++ * 0x9E3779B97F4A7C15UL, _now));
}
