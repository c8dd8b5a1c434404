using Vigil.Balancing;
using Vigil.Balancing.Health;

namespace Vigil.Config;

// The mapping of a validated model to the Vigil.Balancing options the runtime builds pools from;
// the other sections stay model records until the Proxy, Caching and Vrrp option types land.
public sealed partial record PoolConfig
{
    /// <summary>The options <see cref="Pool"/> is built from; the model must be valid.</summary>
    public PoolOptions ToOptions() => new()
    {
        Name = Name,
        Backends = Backends.Select(b => b.ToOptions()).ToArray(),
        Scheduler = Scheduler,
        Health = Health?.ToOptions(),
        Outlier = Outlier?.ToOptions(),
        SlowStart = SlowStart,
        ConnectTimeout = ConnectTimeout,
        ResponseTimeout = ResponseTimeout,
        Retries = Retries,
        SendProxy = (int)SendProxy,
    };
}

public sealed partial record BackendConfig
{
    public BackendOptions ToOptions() => new(Address, EndPoint, Weight, Backup, State);
}

public sealed partial record HealthConfig
{
    public HealthCheckOptions ToOptions() => new()
    {
        Kind = Type,
        Interval = Interval,
        Timeout = Timeout,
        Rise = Rise,
        Fall = Fall,
        Path = Path,
        Host = Host,
        ExpectStatusMin = ExpectMin,
        ExpectStatusMax = ExpectMax,
        ExpectBody = ExpectBody,
        User = User,
        PasswordFile = PasswordFile,
        Role = Role switch
        {
            MySqlRole.Primary => "primary",
            MySqlRole.Replica => "replica",
            _ => null,
        },
        MaxLag = MaxLag,
        FallbackToPrimary = FallbackToPrimary,
    };
}

public sealed partial record OutlierConfig
{
    public OutlierOptions ToOptions() => new(ConsecutiveFailures, EjectFor);
}

public sealed partial record VigilConfig
{
    /// <summary>Every pool as <see cref="PoolOptions"/>, in file order.</summary>
    public IReadOnlyList<PoolOptions> ToPoolOptions() => Pools.Select(p => p.ToOptions()).ToArray();
}
