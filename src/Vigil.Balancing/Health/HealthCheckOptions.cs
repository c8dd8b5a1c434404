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

    /// <summary>Every problem with this check, empty when valid, each starting with the config key it concerns.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Interval <= TimeSpan.Zero) errors.Add("interval must be positive");
        if (Timeout <= TimeSpan.Zero) errors.Add("timeout must be positive");
        else if (Timeout >= Interval) errors.Add("timeout must be shorter than interval");
        if (Rise < 1) errors.Add("rise must be at least 1");
        if (Fall < 1) errors.Add("fall must be at least 1");
        if (Kind == HealthCheckKind.Http)
        {
            if (!Path.StartsWith('/')) errors.Add("path must start with '/'");
            if (ExpectStatusMin is < 100 or > 599 || ExpectStatusMax is < 100 or > 599 || ExpectStatusMin > ExpectStatusMax)
                errors.Add("expect must be a status range within 100–599, low to high");
        }
        if (Kind == HealthCheckKind.MySql)
        {
            // What MySqlProbe needs; refused here so that `vigil check` says so, not the pool at start.
            if (string.IsNullOrEmpty(User)) errors.Add("user is required for a mysql check");
            if (string.IsNullOrEmpty(PasswordFile)) errors.Add("password_file is required for a mysql check");
            if (!string.Equals(Role, "primary", StringComparison.OrdinalIgnoreCase) && !string.Equals(Role, "replica", StringComparison.OrdinalIgnoreCase))
                errors.Add("role is required for a mysql check: primary or replica");
            if (MaxLag <= TimeSpan.Zero) errors.Add("max_lag must be positive");
        }
        return errors;
    }
}

/// <summary>Passive health: eject a backend after consecutive forwarding failures.</summary>
public sealed record OutlierOptions(int ConsecutiveFailures = 5, TimeSpan? EjectFor = null)
{
    public TimeSpan EjectionTime => EjectFor ?? TimeSpan.FromSeconds(30);
}
