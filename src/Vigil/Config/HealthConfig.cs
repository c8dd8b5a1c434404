using Vigil.Balancing.Health;

namespace Vigil.Config;

/// <summary>A pool's active health check as written in the config (tcp, http or mysql).</summary>
public sealed partial record HealthConfig
{
    public HealthCheckKind Type { get; init; } = HealthCheckKind.Tcp;
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(2);
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(1);
    public int Rise { get; init; } = 2;
    public int Fall { get; init; } = 3;

    // http
    public string Path { get; init; } = "/";
    /// <summary>Host header of the probe; null sends the backend address.</summary>
    public string? Host { get; init; }
    public int ExpectMin { get; init; } = 200;
    public int ExpectMax { get; init; } = 399;
    /// <summary>A substring the response body must contain.</summary>
    public string? ExpectBody { get; init; }

    // mysql
    public string? User { get; init; }
    public string? PasswordFile { get; init; }
    /// <summary>Null checks only that the server accepts the monitor user.</summary>
    public MySqlRole? Role { get; init; }
    public TimeSpan MaxLag { get; init; } = TimeSpan.FromSeconds(5);
    public bool FallbackToPrimary { get; init; }
}

/// <summary>What a MySQL/MariaDB backend must be to count as up.</summary>
public enum MySqlRole
{
    /// <summary>Writable: read_only, super_read_only and innodb_read_only off.</summary>
    Primary,
    /// <summary>Both replication threads running and lag within max_lag.</summary>
    Replica,
}
