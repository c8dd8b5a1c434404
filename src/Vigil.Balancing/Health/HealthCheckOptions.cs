namespace Vigil.Balancing.Health;

/// <summary>Which kind of active probe a pool runs.</summary>
public enum HealthCheckKind { Tcp, Http, MySql }

/// <summary>An active health check as configured (rise/fall like HAProxy and keepalived).</summary>
public sealed record HealthCheckOptions
{
    public HealthCheckKind Kind { get; init; } = HealthCheckKind.Tcp;
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(2);
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>Consecutive successes that bring a down backend up.</summary>
    public int Rise { get; init; } = 2;
    /// <summary>Consecutive failures that take an up backend down.</summary>
    public int Fall { get; init; } = 3;
    // http
    public string Path { get; init; } = "/";
    public string? Host { get; init; }
    public int ExpectStatusMin { get; init; } = 200;
    public int ExpectStatusMax { get; init; } = 399;
    public string? ExpectBody { get; init; }
    // mysql
    public string? User { get; init; }
    public string? PasswordFile { get; init; }
    /// <summary>"primary" or "replica" for MySQL checks.</summary>
    public string? Role { get; init; }
    public TimeSpan MaxLag { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>MySQL replica pools: when every replica is out, send reads to the primary (these backends are marked backup).</summary>
    public bool FallbackToPrimary { get; init; }
}

/// <summary>Passive health: eject a backend after consecutive forwarding failures.</summary>
public sealed record OutlierOptions(int ConsecutiveFailures = 5, TimeSpan? EjectFor = null)
{
    public TimeSpan EjectionTime => EjectFor ?? TimeSpan.FromSeconds(30);
}
