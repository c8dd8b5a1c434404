using Vigil.Balancing;
using Vigil.Balancing.Health;

namespace Vigil.Db.Tests;

/// <summary>
/// Drives a pool's health the way a prober does, one round at a time: probe every backend with its
/// MySqlProbe, record the result in its HealthState (rise/fall apply), refresh the pool's eligible set.
/// Rounds are explicit so tests wait on states, not on timers.
/// </summary>
public sealed class ProbeRound
{
    private readonly Pool _pool;
    private readonly Dictionary<Backend, MySqlProbe> _probes = [];

    public ProbeRound(Pool pool)
    {
        _pool = pool;
        foreach (var backend in pool.Backends)
            _probes[backend] = MySqlProbe.ForBackend(pool.Options.Health!, backend.Options);
    }

    public MySqlProbe ProbeOf(Backend backend) => _probes[backend];

    public async Task RunAsync()
    {
        foreach (var backend in _pool.Backends)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var result = await _probes[backend].ProbeAsync(backend.EndPoint, timeout.Token);
            backend.Health.Record(result.Healthy, result.Detail, DateTimeOffset.UtcNow);
        }
        _pool.Refresh();
    }

    /// <summary>Runs rounds until <paramref name="done"/> holds or <paramref name="within"/> passes (bounded).</summary>
    public async Task UntilAsync(Func<Pool, bool> done, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            await RunAsync();
            if (done(_pool) || DateTime.UtcNow >= deadline) return;
            await Task.Delay(200);
        }
    }

    /// <summary>Addresses of the eligible backends, sorted, for readable assertions.</summary>
    public string[] Eligible() => _pool.Eligible.ToArray().Select(b => b.Address).Order(StringComparer.Ordinal).ToArray();

    /// <summary>Each backend's state and reason, for failure messages.</summary>
    public string Describe() => string.Join("; ",
        _pool.Backends.Select(b => $"{b.Address}{(b.IsBackup ? " (backup)" : "")} {b.StateName(DateTimeOffset.UtcNow)}: {b.Health.Reason}"));
}
