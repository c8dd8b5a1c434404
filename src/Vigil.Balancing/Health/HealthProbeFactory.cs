namespace Vigil.Balancing.Health;

/// <summary>
/// Creates the probe a pool's health options ask for. TCP, HTTP and MySQL are built in; the host may
/// add or replace kinds with <see cref="Register"/>.
/// </summary>
public sealed class HealthProbeFactory
{
    private readonly Dictionary<HealthCheckKind, Func<HealthCheckOptions, IHealthProbe>> _kinds = new()
    {
        [HealthCheckKind.Tcp] = _ => new TcpProbe(),
        [HealthCheckKind.Http] = options => new HttpProbe(options),
        [HealthCheckKind.MySql] = options => new MySqlProbe(options),
    };

    /// <summary>Adds or replaces the probe for a kind.</summary>
    public HealthProbeFactory Register(HealthCheckKind kind, Func<HealthCheckOptions, IHealthProbe> create)
    {
        _kinds[kind] = create;
        return this;
    }

    /// <summary>A new probe for one pool; the prober that receives it disposes it.</summary>
    public IHealthProbe Create(HealthCheckOptions options) =>
        _kinds.TryGetValue(options.Kind, out var create)
            ? create(options)
            : throw new NotSupportedException($"no health probe registered for '{options.Kind}'");
}
