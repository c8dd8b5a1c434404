using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Vigil.Vrrp.Packets;

namespace Vigil.Vrrp.Runtime;

/// <summary>
/// The "Vigil.Vrrp" meter: per-instance counters observed from live <see cref="VrrpInstance"/> objects,
/// and the timer loop's lateness histogram. The host exports them at /metrics.
/// </summary>
public static class VrrpMetrics
{
    public const string MeterName = "Vigil.Vrrp";

    private static readonly Meter s_meter = new(MeterName);
    private static readonly ConcurrentDictionary<VrrpInstance, byte> s_instances = new();

    internal static readonly Histogram<double> TimerLateness = s_meter.CreateHistogram<double>(
        "vigil_vrrp_timer_lateness_seconds", "s", "How late the VRRP timer thread handled a due timer");

    static VrrpMetrics()
    {
        s_meter.CreateObservableCounter("vigil_vrrp_adverts_sent_total", () => Each(i => i.Counters.AdvertsSent));
        s_meter.CreateObservableCounter("vigil_vrrp_adverts_received_total", () => Each(i => i.Counters.AdvertsReceived));
        s_meter.CreateObservableCounter("vigil_vrrp_transitions_total", () => Each(i => i.Counters.Transitions));
        s_meter.CreateObservableGauge("vigil_vrrp_state", () => Each(i => (long)i.State), description: "0 initialize, 1 backup, 2 master");
        s_meter.CreateObservableGauge("vigil_vrrp_priority", () => Each(i => (long)i.EffectivePriority));
        s_meter.CreateObservableCounter("vigil_vrrp_drops_total", () =>
            s_instances.Keys.SelectMany(i => Enum.GetValues<VrrpDecodeStatus>().Where(r => r != VrrpDecodeStatus.Ok)
                .Select(r => new Measurement<long>(i.Counters.Drops(r), new("instance", i.Name), new("reason", r.ToString())))));
        s_meter.CreateObservableCounter("vigil_vrrp_checksum_matches_total", () =>
            s_instances.Keys.SelectMany(i => Enum.GetValues<VrrpChecksumForm>().Where(f => f != VrrpChecksumForm.None)
                .Select(f => new Measurement<long>(i.Counters.ChecksumMatches(f), new("instance", i.Name), new("form", f.ToString())))));
    }

    internal static void Register(VrrpInstance instance) => s_instances.TryAdd(instance, 0);

    internal static void Unregister(VrrpInstance instance) => s_instances.TryRemove(instance, out _);

    private static IEnumerable<Measurement<long>> Each(Func<VrrpInstance, long> read) =>
        s_instances.Keys.Select(i => new Measurement<long>(read(i), new KeyValuePair<string, object?>("instance", i.Name)));
}
