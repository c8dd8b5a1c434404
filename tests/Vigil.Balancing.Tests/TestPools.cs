using System.Net;
using Microsoft.Extensions.Time.Testing;
using Vigil.Balancing.Health;

namespace Vigil.Balancing.Tests;

/// <summary>Builds backends and pools for unit tests (no sockets: addresses are never dialled).</summary>
internal static class TestPools
{
    public static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static BackendOptions Options(int index, int weight = 1, bool backup = false) =>
        new($"127.0.0.{index + 1}:8080", new IPEndPoint(IPAddress.Parse($"127.0.0.{index + 1}"), 8080), weight, backup);

    public static Backend[] Backends(params int[] weights)
    {
        var time = new FakeTimeProvider(Start);
        var backends = new Backend[weights.Length];
        for (var i = 0; i < weights.Length; i++)
            backends[i] = new Backend(Options(i, weights[i]), new HealthState(1, 1, true, Start), time);
        return backends;
    }

    public static Pool Pool(FakeTimeProvider time, SchedulerKind scheduler, params BackendOptions[] backends) =>
        Pool(time, new PoolOptions { Name = "test", Backends = backends, Scheduler = scheduler });

    public static Pool Pool(FakeTimeProvider time, PoolOptions options) => new(options, time);

    public static PickContext At(DateTimeOffset now, ulong hash = 0) => new(hash, now);

    /// <summary>Counts picks per backend over <paramref name="picks"/> calls.</summary>
    public static Dictionary<Backend, int> Count(Func<int, Backend?> pick, int picks)
    {
        var counts = new Dictionary<Backend, int>();
        for (var i = 0; i < picks; i++)
        {
            var b = pick(i) ?? throw new InvalidOperationException("no backend picked");
            counts[b] = counts.GetValueOrDefault(b) + 1;
        }
        return counts;
    }

    /// <summary>Takes a backend down through its health state (as probes would) and refreshes the pool.</summary>
    public static void MarkDown(Pool pool, Backend backend, DateTimeOffset now)
    {
        for (var i = 0; i < backend.Health.Fall; i++) backend.Health.Record(false, "test down", now);
        pool.Refresh();
    }

    public static void MarkUp(Pool pool, Backend backend, DateTimeOffset now)
    {
        for (var i = 0; i < backend.Health.Rise; i++) backend.Health.Record(true, "test up", now);
        pool.Refresh();
    }
}
