using Vigil.Balancing;

namespace Vigil.Config;

/// <summary>
/// A pool: backends behind one scheduler and one health check. The YAML keys are the Balancing
/// library's own <see cref="PoolOptions"/> (with <see cref="Balancing.Health.HealthCheckOptions"/> and
/// <see cref="OutlierOptions"/>): defaults and rules live there once, and the host wraps the options
/// rather than copying their fields, as YARP's ClusterConfig does.
/// </summary>
public sealed record PoolConfig
{
    public required PoolOptions Options { get; init; }

    public string Name => Options.Name;
}
