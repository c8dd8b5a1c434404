namespace Vigil.Balancing.Schedulers;

/// <summary>
/// nginx's smooth weighted round-robin: weights {5,1,1} give a a b a c a a, spreading the heavy
/// backend's turns instead of sending it five in a row.
/// </summary>
/// <remarks>
/// nginx runs the algorithm under a lock on every pick. The sequence it produces repeats every
/// sum-of-weights picks, so <see cref="Update"/> runs it once to build that cycle and
/// <see cref="Pick"/> walks it with one interlocked increment: lock-free and allocation-free.
/// </remarks>
public sealed class SmoothWeightedRoundRobinScheduler : Scheduler
{
    // Bounds the cycle (and the O(cycle × backends) build) for large pools with large weights;
    // beyond it weights are scaled down, which keeps shares within a fraction of a percent.
    private const int MaxCycle = 1 << 16;
    private const int SlowStartAttempts = 16;

    private Snapshot _snapshot = new([], TimeSpan.Zero);

    public override void Update(Backend[] eligible, TimeSpan slowStart) =>
        Volatile.Write(ref _snapshot, new Snapshot(BuildCycle(eligible), slowStart));

    public override Backend? Pick(in PickContext context)
    {
        var s = Volatile.Read(ref _snapshot);
        var cycle = s.Cycle;
        if (cycle.Length == 0) return null;
        var b = cycle[s.Next(cycle.Length)];
        if (s.SlowStart <= TimeSpan.Zero) return b;
        // Slow start: a ramping backend keeps its turn with probability effective/full weight;
        // a refused turn takes the next position of the cycle, so the backend's share comes out as
        // effective / (others + effective), the share nginx would give it at that weight.
        for (var attempt = 0; attempt < SlowStartAttempts; attempt++)
        {
            var w = b.EffectiveWeight(s.SlowStart, context.Now);
            if (w >= b.Weight || Random.Shared.NextDouble() * b.Weight < w) return b;
            b = cycle[s.Next(cycle.Length)];
        }
        return b;
    }

    /// <summary>Runs nginx's algorithm for one full cycle (sum of weights / gcd picks).</summary>
    internal static Backend[] BuildCycle(Backend[] backends)
    {
        if (backends.Length == 0) return [];
        var weights = ReducedWeights(backends);
        var total = 0;
        foreach (var w in weights) total += w;
        var current = new long[backends.Length];
        var cycle = new Backend[total];
        for (var step = 0; step < total; step++)
        {
            var best = 0;
            for (var i = 0; i < backends.Length; i++)
            {
                current[i] += weights[i];
                if (current[i] > current[best]) best = i;
            }
            current[best] -= total;
            cycle[step] = backends[best];
        }
        return cycle;
    }

    private static int[] ReducedWeights(Backend[] backends)
    {
        var weights = new int[backends.Length];
        var gcd = 0;
        long total = 0;
        for (var i = 0; i < backends.Length; i++)
        {
            weights[i] = Math.Max(1, backends[i].Weight);
            gcd = Gcd(gcd, weights[i]);
            total += weights[i];
        }
        // The cycle of weights w is the cycle of w / gcd repeated: smooth WRR is scale-invariant.
        total /= gcd;
        var scale = total > MaxCycle ? (double)MaxCycle / total : 1.0;
        for (var i = 0; i < weights.Length; i++)
            weights[i] = Math.Max(1, (int)(weights[i] / gcd * scale));
        return weights;
    }

    private static int Gcd(int a, int b)
    {
        while (b != 0) (a, b) = (b, a % b);
        return a;
    }

    private sealed class Snapshot(Backend[] cycle, TimeSpan slowStart)
    {
        private long _position = -1;
        public Backend[] Cycle { get; } = cycle;
        public TimeSpan SlowStart { get; } = slowStart;

        // Each snapshot starts its cycle at the beginning, as nginx resets current weights.
        public int Next(int length) => (int)((ulong)Interlocked.Increment(ref _position) % (uint)length);
    }
}
