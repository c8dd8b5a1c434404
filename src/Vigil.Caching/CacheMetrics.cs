using System.Diagnostics.Metrics;

namespace Vigil.Caching;

/// <summary>
/// Publishes a cache's counters on the "Vigil.Caching" meter as observable instruments, so the request path
/// only bumps plain counters and the exporter reads them when scraped.
/// </summary>
internal sealed class CacheMetrics : IDisposable
{
    public const string MeterName = "Vigil.Caching";

    private readonly Meter _meter = new(MeterName);

    public CacheMetrics(HttpCache cache)
    {
        var tag = new KeyValuePair<string, object?>("cache", cache.Options.Name);
        var c = cache.Counters;
        var store = cache.Store;
        _meter.CreateObservableCounter("vigil_cache_hits_total", () => new Measurement<long>(c.Hits, tag), description: "Fresh responses served from the cache");
        _meter.CreateObservableCounter("vigil_cache_misses_total", () => new Measurement<long>(c.Misses, tag), description: "Requests forwarded because nothing usable was stored");
        _meter.CreateObservableCounter("vigil_cache_stale_served_total", () => new Measurement<long>(c.StaleServed, tag), description: "Stale responses served");
        _meter.CreateObservableCounter("vigil_cache_revalidations_total", () => new Measurement<long>(c.Revalidations, tag), description: "Conditional requests sent to the origin");
        _meter.CreateObservableCounter("vigil_cache_collapsed_total", () => new Measurement<long>(c.Collapsed, tag), description: "Requests served from another request's fetch");
        _meter.CreateObservableCounter("vigil_cache_hit_for_pass_total", () => new Measurement<long>(c.HitForPass, tag), description: "Requests passed because the key proved uncacheable");
        _meter.CreateObservableCounter("vigil_cache_stored_total", () => new Measurement<long>(c.Stored, tag), description: "Responses stored");
        _meter.CreateObservableCounter("vigil_cache_incomplete_total", () => new Measurement<long>(c.Incomplete, tag), description: "Storable responses not stored because the origin's body did not arrive whole");
        _meter.CreateObservableCounter("vigil_cache_rejected_total", () => new Measurement<long>(c.Rejected, tag), description: "Responses not stored because evaluating or storing them failed");
        _meter.CreateObservableCounter("vigil_cache_evictions_total", () => new Measurement<long>(store.Evictions, tag), description: "Keys evicted to stay under the byte budget");
        _meter.CreateObservableGauge("vigil_cache_bytes", () => new Measurement<long>(store.Bytes, tag), unit: "By", description: "Bytes held by the cache");
        _meter.CreateObservableGauge("vigil_cache_entries", () => new Measurement<long>(store.Entries, tag), description: "Stored responses");
    }

    public void Dispose() => _meter.Dispose();
}
