namespace Vigil.Balancing.Schedulers;

/// <summary>
/// Weighted least-connections: the backend with the fewest requests or connections in flight per
/// unit of (slow-start) weight. Suits long or uneven exchanges (database connections, uploads).
/// </summary>
public sealed class LeastConnectionsScheduler : Scheduler
{
    private Snapshot _snapshot = new([], TimeSpan.Zero);
    private uint _rotor;

    public override void Update(Backend[] eligible, TimeSpan slowStart) =>
        Volatile.Write(ref _snapshot, new Snapshot(eligible, slowStart));

    public override Backend? Pick(in PickContext context)
    {
        var s = Volatile.Read(ref _snapshot);
        var set = s.Backends;
        if (set.Length == 0) return null;
        // Start the scan at a rotating index so ties (typically all idle) spread round-robin
        // instead of all landing on the first backend.
        var start = (int)(Interlocked.Increment(ref _rotor) % (uint)set.Length);
        var best = set[start];
        var bestLoad = Load.PerWeight(best, s.SlowStart, context.Now);
        for (var k = 1; k < set.Length; k++)
        {
            var i = start + k;
            if (i >= set.Length) i -= set.Length;
            var load = Load.PerWeight(set[i], s.SlowStart, context.Now);
            if (load < bestLoad)
            {
                best = set[i];
                bestLoad = load;
            }
        }
        return best;
    }

    private sealed record Snapshot(Backend[] Backends, TimeSpan SlowStart);
}
