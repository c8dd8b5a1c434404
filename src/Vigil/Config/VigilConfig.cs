using System.Net;

namespace Vigil.Config;

/// <summary>The whole config file as a typed model (DESIGN.md "Config shape"), defaults applied.</summary>
public sealed partial record VigilConfig
{
    public NodeConfig Node { get; init; } = new();
    public AdminConfig Admin { get; init; } = new();
    /// <summary>Pools in file order.</summary>
    public IReadOnlyList<PoolConfig> Pools { get; init => field = ValueList<PoolConfig>.From(value); } = ValueList<PoolConfig>.Empty;
    public IReadOnlyList<ListenerConfig> Listeners { get; init => field = ValueList<ListenerConfig>.From(value); } = ValueList<ListenerConfig>.Empty;
    /// <summary>Caches in file order.</summary>
    public IReadOnlyList<CacheConfig> Caches { get; init => field = ValueList<CacheConfig>.From(value); } = ValueList<CacheConfig>.Empty;
    public IReadOnlyList<VrrpInstanceConfig> Vrrp { get; init => field = ValueList<VrrpInstanceConfig>.From(value); } = ValueList<VrrpInstanceConfig>.Empty;

    public PoolConfig? FindPool(string name) => Pools.FirstOrDefault(p => p.Name == name);

    /// <summary>Every pool's <see cref="Balancing.PoolOptions"/>, in file order.</summary>
    public IReadOnlyList<Balancing.PoolOptions> ToPoolOptions() => Pools.Select(p => p.Options).ToArray();

    public CacheConfig? FindCache(string name) => Caches.FirstOrDefault(c => c.Name == name);
}

/// <summary>This node: its name appears in logs, /api/status and metrics.</summary>
public sealed record NodeConfig
{
    /// <summary>Defaults to the machine's host name, like keepalived's router_id.</summary>
    public string Name { get; init; } = Environment.MachineName;
}

/// <summary>The admin HTTP API listener (status, runtime admin state, reload, purge, metrics).</summary>
public sealed record AdminConfig
{
    public const string DefaultListen = "127.0.0.1:9090";

    public string Listen { get; init; } = DefaultListen;
    public IPEndPoint ListenEndPoint { get; init; } = new(IPAddress.Loopback, 9090);
    /// <summary>Bearer token; required (this or <see cref="TokenFile"/>) when the API listens beyond loopback.</summary>
    public Secret? Token { get; init; }
    /// <summary>File holding the token, so it need not be in the config text.</summary>
    public string? TokenFile { get; init; }
    /// <summary>Serve <c>/metrics</c> without the token (a Prometheus that cannot send one); the API and status page still need it.</summary>
    public bool MetricsPublic { get; init; }
}
