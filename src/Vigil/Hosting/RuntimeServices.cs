using Microsoft.Extensions.Logging;
using Vigil.Balancing.Health;
using Vigil.Proxy.Http.Upstream;

namespace Vigil.Hosting;

/// <summary>What every generation shares and a reload does not rebuild: clock, logging, the upstream connection pools, probe kinds.</summary>
public sealed class RuntimeServices(TimeProvider time, ILoggerFactory loggerFactory, IUpstream upstream, HealthProbeFactory probes)
{
    public TimeProvider Time { get; } = time;
    public ILoggerFactory LoggerFactory { get; } = loggerFactory;
    public IUpstream Upstream { get; } = upstream;
    public HealthProbeFactory Probes { get; } = probes;
}
