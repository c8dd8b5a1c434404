using Microsoft.Extensions.Logging;
using Vigil.Balancing;
using Vigil.Balancing.Health;
using Vigil.Caching;
using Vigil.Config;
using Vigil.Proxy.Http;
using Vigil.Proxy.Http.Routing;
using RouteOptions = Vigil.Proxy.Http.Routing.RouteOptions;
using Vigil.Proxy.Http.Upstream;

namespace Vigil.Hosting;

/// <summary>
/// One applied config: its pools (with their health probers) and the proxies of its http listeners.
/// A reload builds the next generation beside the running one, starts it, swaps it in atomically and
/// only then stops the old one's probers; unchanged backends are the same objects in both, so their
/// health, counters and in-flight requests carry over.
/// </summary>
public sealed class Generation : IAsyncDisposable
{
    private readonly List<HealthProber> _probers = [];
    private readonly List<Pool> _unprobed = [];

    private Generation(long number, VigilConfig config, IReadOnlyDictionary<string, Pool> pools, DateTimeOffset loadedAt)
    {
        Number = number;
        Config = config;
        Pools = pools;
        LoadedAt = loadedAt;
    }

    public long Number { get; }
    public VigilConfig Config { get; }
    public DateTimeOffset LoadedAt { get; }
    public IReadOnlyDictionary<string, Pool> Pools { get; }
    /// <summary>Caches by name; an unchanged cache is the same object across reloads, so its entries survive.</summary>
    public IReadOnlyDictionary<string, HttpCache> Caches { get; private init; } = new Dictionary<string, HttpCache>();
    /// <summary>The proxy of each http listener, by listener name.</summary>
    public IReadOnlyDictionary<string, HttpProxy> HttpProxies { get; private init; } = new Dictionary<string, HttpProxy>();

    /// <summary>Builds (but does not start) the generation for <paramref name="config"/>.</summary>
    public static Generation Build(long number, VigilConfig config, Generation? previous, RuntimeServices services)
    {
        var pools = new Dictionary<string, Pool>(StringComparer.Ordinal);
        foreach (var poolConfig in config.Pools)
        {
            Pool? old = null;
            previous?.Pools.TryGetValue(poolConfig.Name, out old);
            pools[poolConfig.Name] = new Pool(poolConfig.Options, services.Time, old);
        }

        var caches = BuildCaches(config, previous, services);

        var proxies = new Dictionary<string, HttpProxy>(StringComparer.Ordinal);
        foreach (var listener in config.Listeners)
        {
            if (listener.Protocol != ListenerProtocol.Http) continue;
            var table = new RouteTable(listener.Routes);
            foreach (var route in table.Routes)
                if (route.Options.Cache is { } cacheName) route.CacheStep = caches[cacheName].HandleAsync;
            proxies[listener.Name] = new HttpProxy(table, pools, services.Upstream,
                services.LoggerFactory.CreateLogger("Vigil.Proxy.Http"),
                listener.Http ?? throw new ArgumentException($"listener {listener.Name} has no http options", nameof(config)),
                services.Time);
        }

        return new Generation(number, config, pools, services.Time.GetUtcNow()) { HttpProxies = proxies, Caches = caches };
    }

    /// <summary>The caches of <paramref name="config"/>: unchanged ones kept from <paramref name="previous"/>, the rest opened now.</summary>
    private static Dictionary<string, HttpCache> BuildCaches(VigilConfig config, Generation? previous, RuntimeServices services)
    {
        var caches = new Dictionary<string, HttpCache>(StringComparer.Ordinal);
        var opened = new List<HttpCache>();
        foreach (var cacheConfig in config.Caches)
        {
            var options = cacheConfig.Options;
            if (previous is not null && previous.Caches.TryGetValue(cacheConfig.Name, out var kept) && kept.Options == options)
            {
                caches[cacheConfig.Name] = kept;
                continue;
            }
            try
            {
                var cache = new HttpCache(options, services.Time, services.LoggerFactory.CreateLogger<HttpCache>());
                opened.Add(cache);
                caches[cacheConfig.Name] = cache;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
            {
                // The disk store's directory cannot be created or read; close what this build opened.
                foreach (var cache in opened) cache.Dispose();
                var what = options.DiskPath is { } disk && ex is not ArgumentException ? $"cannot open disk store {disk}: " : "";
                throw new StartException($"cache {cacheConfig.Name}", what + ex.Message, ex);
            }
        }
        return caches;
    }

    /// <summary>Starts the active health checks of every pool that has one.</summary>
    public void Start(RuntimeServices services)
    {
        foreach (var pool in Pools.Values)
        {
            if (pool.Options.Health is not { } health)
            {
                // No prober to publish the pool's backend_up series: track it here.
                BalancingMetrics.Track(pool);
                _unprobed.Add(pool);
                continue;
            }
            var prober = new HealthProber(pool, services.Probes.Create(health), services.Time,
                services.LoggerFactory.CreateLogger("Vigil.Health"));
            prober.Start();
            _probers.Add(prober);
        }
    }

    /// <summary>Stops the probers; disposes the caches the successor did not keep.</summary>
    public async ValueTask RetireAsync(Generation? successor)
    {
        await DisposeAsync();
        foreach (var (name, cache) in Caches)
            if (successor is null || !successor.Caches.TryGetValue(name, out var kept) || kept != cache) cache.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var prober in _probers) await prober.DisposeAsync();
        _probers.Clear();
        foreach (var pool in _unprobed) BalancingMetrics.Untrack(pool);
        _unprobed.Clear();
    }
}
