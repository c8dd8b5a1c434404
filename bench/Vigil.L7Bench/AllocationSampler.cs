using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

/// <summary>
/// Samples the runtime's AllocationTick events (one per ~100 KB allocated) by type, to show which
/// types dominate the per-request allocations of a run.
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private readonly ConcurrentDictionary<string, long> _bytes = new();
    public volatile bool Enabled;

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
            EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x1); // GC keyword: AllocationTick
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (!Enabled || e.EventName is null || !e.EventName.StartsWith("GCAllocationTick") || e.Payload is null) return;
        var name = e.PayloadNames!.IndexOf("TypeName") is var i and >= 0 ? e.Payload[i] as string ?? "?" : "?";
        var amount = e.PayloadNames.IndexOf("AllocationAmount64") is var j and >= 0 ? Convert.ToInt64(e.Payload[j]) : 100_000;
        _bytes.AddOrUpdate(name, amount, (_, v) => v + amount);
    }

    public IEnumerable<(string Type, long Bytes)> TakeTop(int count)
    {
        var top = _bytes.OrderByDescending(kv => kv.Value).Take(count).Select(kv => (kv.Key, kv.Value)).ToArray();
        _bytes.Clear();
        return top;
    }
}
