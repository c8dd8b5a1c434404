using Vigil.Balancing;

namespace Vigil.Config;

/// <summary>A pool as written in the config: backends behind one scheduler and one health check.</summary>
public sealed partial record PoolConfig
{
    public required string Name { get; init; }
    public SchedulerKind Scheduler { get; init; } = SchedulerKind.RoundRobin;
    public IReadOnlyList<BackendConfig> Backends { get; init => field = ValueList<BackendConfig>.From(value); } = ValueList<BackendConfig>.Empty;
    /// <summary>Active check; null when the pool has none (backends assumed up, outlier ejection still applies).</summary>
    public HealthConfig? Health { get; init; }
    /// <summary>Passive outlier ejection; null when not configured.</summary>
    public OutlierConfig? Outlier { get; init; }
    public TimeSpan SlowStart { get; init; } = TimeSpan.Zero;
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(3);
    public TimeSpan ResponseTimeout { get; init; } = TimeSpan.FromSeconds(30);
    public int Retries { get; init; } = 1;
    public ProxyProtocolVersion SendProxy { get; init; } = ProxyProtocolVersion.None;
}

/// <summary>PROXY protocol header sent to a pool's backends (HAProxy's send-proxy / send-proxy-v2).</summary>
public enum ProxyProtocolVersion { None = 0, V1 = 1, V2 = 2 }

/// <summary>One backend of a pool as written in the config.</summary>
public sealed partial record BackendConfig
{
    /// <summary>The operator's spelling (<c>host:port</c>), the key the admin API uses.</summary>
    public required string Address { get; init; }
    /// <summary>The parsed address; <c>localhost</c> and DNS names already resolved.</summary>
    public required System.Net.IPEndPoint EndPoint { get; init; }
    public int Weight { get; init; } = 1;
    public bool Backup { get; init; }
    public AdminState State { get; init; } = AdminState.Enabled;
}

/// <summary>Passive health: eject a backend after consecutive failures of real traffic.</summary>
public sealed partial record OutlierConfig
{
    public int ConsecutiveFailures { get; init; } = 5;
    public TimeSpan EjectFor { get; init; } = TimeSpan.FromSeconds(30);
}
