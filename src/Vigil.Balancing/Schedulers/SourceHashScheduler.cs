namespace Vigil.Balancing.Schedulers;

/// <summary>
/// Source hash: the same client (hash of its address in <see cref="PickContext.Hash"/>) goes to the
/// same backend while the eligible set is unchanged, in proportion to weights. Like HAProxy's
/// map-based <c>balance source</c>, a change of the set remaps most clients; use consistent-hash when
/// that matters. Slow start does not apply: ramping would move clients back and forth.
/// </summary>
public sealed class SourceHashScheduler : Scheduler
{
    private Backend[] _map = [];

    public override void Update(Backend[] eligible, TimeSpan slowStart) =>
        Volatile.Write(ref _map, BuildMap(eligible));

    public override Backend? Pick(in PickContext context)
    {
        var map = Volatile.Read(ref _map);
        if (map.Length == 0) return null;
        return map[(int)(KeyHash.Mix(context.Hash) % (ulong)map.Length)];
    }

    /// <summary>Each backend appears weight / gcd times, so a uniform hash lands in proportion to weight.</summary>
    internal static Backend[] BuildMap(Backend[] backends)
    {
        var gcd = 0;
        foreach (var b in backends)
        {
            var w = Math.Max(1, b.Weight);
            while (w != 0) (gcd, w) = (w, gcd % w);
        }
        var map = new List<Backend>();
        foreach (var b in backends)
            for (var k = 0; k < Math.Max(1, b.Weight) / gcd; k++) map.Add(b);
        return [.. map];
    }
}
