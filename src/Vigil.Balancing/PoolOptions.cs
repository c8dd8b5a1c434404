using Vigil.Balancing.Health;

namespace Vigil.Balancing;

/// <summary>A pool as configured: its backends, scheduler, health checks and timeouts.</summary>
public sealed record PoolOptions
{
    public required string Name { get; init; }
    public required IReadOnlyList<BackendOptions> Backends { get; init; }
    public SchedulerKind Scheduler { get; init; } = SchedulerKind.RoundRobin;
    /// <summary>Active health check; null means backends are assumed up (passive checks still apply).</summary>
    public HealthCheckOptions? Health { get; init; }
    /// <summary>Passive outlier ejection; null disables it.</summary>
    public OutlierOptions? Outlier { get; init; }
    /// <summary>A backend that becomes eligible again ramps its weight from ~0 to full over this time.</summary>
    public TimeSpan SlowStart { get; init; } = TimeSpan.Zero;
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(3);
    /// <summary>Time to the first response byte (L7) or idle time (L4).</summary>
    public TimeSpan ResponseTimeout { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Retries on another backend for idempotent requests that failed before any response byte.</summary>
    public int Retries { get; init; } = 1;
    /// <summary>PROXY protocol header to send to backends (L4): 0 none, 1 or 2.</summary>
    public int SendProxy { get; init; }
}

/// <summary>The scheduling algorithms a pool may use.</summary>
public enum SchedulerKind
{
    RoundRobin,
    WeightedRoundRobin,
    LeastConnections,
    SourceHash,
    ConsistentHash,
    PowerOfTwo,
}
