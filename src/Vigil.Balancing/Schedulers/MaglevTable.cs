namespace Vigil.Balancing.Schedulers;

/// <summary>
/// Maglev's lookup table (Eisenbud et al., NSDI 2016, §3.4): every backend walks its own permutation
/// of the table's slots and takes turns claiming free ones. Removing or adding one of N backends
/// moves about 1/N of the slots, and every backend gets a near-equal (here: weighted) share.
/// </summary>
/// <remarks>Hand-written: no maintained .NET library offers it, and it is forty lines.</remarks>
internal static class MaglevTable
{
    /// <summary>
    /// Table size: a prime (so every skip visits every slot) much larger than the backend count
    /// (so shares stay within ~1% at 100 backends), and below 65536 so slots fit in a ushort.
    /// It never depends on the backend count: a size change would remap every key.
    /// </summary>
    public const int Size = 65521;

    /// <summary>Builds the table: slot → index into <paramref name="backends"/>.</summary>
    public static ushort[] Build(Backend[] backends)
    {
        var n = backends.Length;
        if (n == 0) return [];
        if (n > ushort.MaxValue) throw new ArgumentOutOfRangeException(nameof(backends), "too many backends for one table");
        var offset = new int[n];
        var skip = new int[n];
        var next = new int[n];
        var credit = new long[n];
        var maxWeight = 1;
        for (var i = 0; i < n; i++)
        {
            // Permutations come from the address, not the position, so a backend keeps its
            // preferred slots when others come and go.
            var address = backends[i].Address;
            offset[i] = (int)(KeyHash.Of(address, seed: 0x6d61676c6576UL) % Size);
            skip[i] = (int)(KeyHash.Of(address, seed: 0x736b6970UL) % (Size - 1)) + 1;
            maxWeight = Math.Max(maxWeight, backends[i].Weight);
        }

        var table = new ushort[Size];
        var taken = new bool[Size];
        var filled = 0;
        while (true)
        {
            for (var i = 0; i < n; i++)
            {
                // Weighted variant: a backend claims a slot in a round only once its credit reaches
                // the largest weight, so claims are in proportion to weight.
                credit[i] += Math.Max(1, backends[i].Weight);
                if (credit[i] < maxWeight) continue;
                credit[i] -= maxWeight;
                int slot;
                do
                {
                    slot = (int)((offset[i] + (long)next[i] * skip[i]) % Size);
                    next[i]++;
                } while (taken[slot]);
                taken[slot] = true;
                table[slot] = (ushort)i;
                if (++filled == Size) return table;
            }
        }
    }
}
