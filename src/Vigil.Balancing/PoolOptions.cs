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

    /// <summary>
    /// Every problem with these options, empty when valid, worded <c>pool NAME: key rule</c> with the
    /// config's key names (<c>health.timeout</c> for the check's) so the host can point at the line.
    /// </summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        void Add(string error) => errors.Add($"pool {Name}: {error}");
        if (string.IsNullOrWhiteSpace(Name)) errors.Add("pool name is empty");
        if (Backends is null || Backends.Count == 0) Add("backends must list at least one backend");
        else
            for (var i = 0; i < Backends.Count; i++)
                if (Backends[i].Weight is < 1 or > 256) Add($"backends[{i}] weight must be 1–256, not {Backends[i].Weight}");
        if (!Enum.IsDefined(Scheduler)) Add($"scheduler {Scheduler} is unknown");
        if (SlowStart < TimeSpan.Zero) Add("slow_start must not be negative");
        if (ConnectTimeout <= TimeSpan.Zero) Add("connect_timeout must be positive");
        if (ResponseTimeout <= TimeSpan.Zero) Add("response_timeout must be positive");
        if (Retries is < 0 or > 10) Add("retries must be 0–10");
        if (SendProxy is < 0 or > 2) Add("send_proxy must be none, v1 or v2");
        if (Health is not null) foreach (var e in Health.Validate()) Add("health." + e);
        if (Outlier is not null)
        {
            if (Outlier.ConsecutiveFailures < 1) Add("outlier.consecutive_failures must be at least 1");
            if (Outlier.EjectionTime <= TimeSpan.Zero) Add("outlier.eject_for must be positive");
        }
        return errors;
    }
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
