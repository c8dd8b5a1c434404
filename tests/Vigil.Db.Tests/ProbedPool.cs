using Vigil.Balancing;
using Vigil.Balancing.Health;

namespace Vigil.Db.Tests;

/// <summary>
/// A pool with its health check running for real, as the daemon runs it: the probe comes from
/// <see cref="HealthProbeFactory"/> and a <see cref="HealthProber"/> probes every backend on a short
/// interval, so the pool's eligible set follows the servers by itself. Tests wait on states, bounded.
/// </summary>
public sealed class ProbedPool : IAsyncDisposable
{
    private readonly HealthProber _prober;

    public ProbedPool(string name, HealthCheckOptions check, params BackendOptions[] backends)
    {
        Pool = new Pool(new PoolOptions { Name = name, Backends = backends, Health = check }, TimeProvider.System);
        _prober = new HealthProber(Pool, new HealthProbeFactory().Create(check));
        _prober.Start();
    }

    public Pool Pool { get; }

    /// <summary>Addresses of the eligible backends, sorted, for readable assertions.</summary>
    public string[] Eligible() => Pool.Eligible.ToArray().Select(b => b.Address).Order(StringComparer.Ordinal).ToArray();

    public Backend Backend(MariaDbServer server) => Pool.Find(server.Address)!;

    /// <summary>Waits until every backend has been probed at least once, then until <paramref name="addresses"/> are exactly the eligible set.</summary>
    public async Task<string[]> WaitEligibleAsync(TimeSpan within, params string[] addresses)
    {
        Array.Sort(addresses, StringComparer.Ordinal);
        return await Eventually.UntilAsync(
            () => Task.FromResult(Eligible()),
            eligible => Pool.Backends.All(b => b.Health.LastResult != "none") && eligible.SequenceEqual(addresses),
            within, TimeSpan.FromMilliseconds(50));
    }

    /// <summary>Waits until <paramref name="backend"/>'s reason (what /api/status shows) satisfies <paramref name="done"/>.</summary>
    public Task<string> WaitReasonAsync(Backend backend, Func<string, bool> done, TimeSpan within) =>
        Eventually.UntilAsync(() => Task.FromResult(backend.Health.Reason), done, within, TimeSpan.FromMilliseconds(50));

    /// <summary>Each backend's state and reason, for failure messages.</summary>
    public string Describe() => string.Join("; ",
        Pool.Backends.Select(b => $"{b.Address}{(b.IsBackup ? " (backup)" : "")} {b.StateName(DateTimeOffset.UtcNow)}: {b.Health.Reason}"));

    public ValueTask DisposeAsync() => _prober.DisposeAsync();
}
