using Vigil.Balancing;

namespace Vigil.Admin;

/// <summary>The body of <c>GET /api/status</c>: everything an operator asks first, in one document.</summary>
public sealed record StatusReport(
    string Node,
    long Generation,
    DateTimeOffset LoadedAt,
    ReloadReport LastReload,
    IReadOnlyList<ListenerStatus> Listeners,
    IReadOnlyList<PoolStatus> Pools,
    IReadOnlyList<Hosting.VrrpStatus> Vrrp,
    IReadOnlyList<Caching.CacheSnapshot> Caches);

/// <summary>The outcome of the most recent reload attempt.</summary>
public sealed record ReloadReport(bool Ok, DateTimeOffset At, IReadOnlyList<string> Errors);

public sealed record ListenerStatus(string Name, string Protocol, string Listen, object? Counters = null);

public sealed record PoolStatus(string Name, string Scheduler, int Eligible, IReadOnlyList<BackendStatus> Backends)
{
    public static PoolStatus From(Pool pool, DateTimeOffset now) => new(
        pool.Name,
        SchedulerName(pool.Options.Scheduler),
        pool.Eligible.Length,
        pool.Backends.Select(b => BackendStatus.From(b, now)).ToArray());

    public static string SchedulerName(SchedulerKind kind) => kind switch
    {
        SchedulerKind.RoundRobin => "round-robin",
        SchedulerKind.WeightedRoundRobin => "weighted-round-robin",
        SchedulerKind.LeastConnections => "least-connections",
        SchedulerKind.SourceHash => "source-hash",
        SchedulerKind.ConsistentHash => "consistent-hash",
        SchedulerKind.PowerOfTwo => "power-of-two",
        _ => kind.ToString(),
    };
}

public sealed record BackendStatus(
    string Address,
    int Weight,
    bool Backup,
    string State,
    string Admin,
    bool Healthy,
    string Reason,
    DateTimeOffset Since,
    string LastCheck,
    DateTimeOffset? EjectedUntil,
    long Active,
    long Requests,
    long Failures,
    long ConnectFailures,
    long BytesIn,
    long BytesOut)
{
    public static BackendStatus From(Backend b, DateTimeOffset now) => new(
        b.Address, b.Weight, b.IsBackup, b.StateName(now), b.AdminState.ToString().ToLowerInvariant(),
        b.Health.IsUp,
        b.Health.IsUp && b.IsEjected(now) ? "consecutive forwarding failures" : b.Health.Reason,
        b.Health.Since, b.Health.LastResult,
        b.IsEjected(now) ? b.EjectedUntil : null,
        b.Counters.Active, b.Counters.Requests, b.Counters.Failures, b.Counters.ConnectFailures,
        b.Counters.BytesIn, b.Counters.BytesOut);
}
