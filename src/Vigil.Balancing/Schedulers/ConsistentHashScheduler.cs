namespace Vigil.Balancing.Schedulers;

/// <summary>
/// Consistent hash over a Maglev lookup table: a key (<see cref="PickContext.Hash"/>: client address,
/// URL, header) keeps its backend when other backends leave or join; only ≈1/N of keys move. Suits
/// caches behind the balancer. Slow start does not apply: it would move keys.
/// </summary>
public sealed class ConsistentHashScheduler : Scheduler
{
    private Snapshot _snapshot = new([], []);

    public override void Update(Backend[] eligible, TimeSpan slowStart) =>
        Volatile.Write(ref _snapshot, new Snapshot(eligible, MaglevTable.Build(eligible)));

    public override Backend? Pick(in PickContext context)
    {
        var s = Volatile.Read(ref _snapshot);
        if (s.Backends.Length == 0) return null;
        return s.Backends[s.Table[(int)(KeyHash.Mix(context.Hash) % MaglevTable.Size)]];
    }

    private sealed record Snapshot(Backend[] Backends, ushort[] Table);
}
