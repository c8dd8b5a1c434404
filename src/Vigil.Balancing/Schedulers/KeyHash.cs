namespace Vigil.Balancing.Schedulers;

/// <summary>
/// Stable 64-bit hashing for the hash schedulers. Hand-written because string.GetHashCode is
/// randomised per process: two Vigil nodes (or one after a restart) must map a key to the same backend.
/// </summary>
internal static class KeyHash
{
    /// <summary>FNV-1a over the UTF-16 code units of a backend address, then mixed.</summary>
    public static ulong Of(string text, ulong seed = 0)
    {
        var h = 14695981039346656037UL ^ seed;
        foreach (var c in text)
        {
            h ^= c;
            h *= 1099511628211UL;
        }
        return Mix(h);
    }

    /// <summary>
    /// SplitMix64 finaliser: spreads a caller's hash over all bits so that poor keys (an IPv4 address
    /// as an integer, sequential ids) still index a table evenly.
    /// </summary>
    public static ulong Mix(ulong x)
    {
        x ^= x >> 30;
        x *= 0xbf58476d1ce4e5b9UL;
        x ^= x >> 27;
        x *= 0x94d049bb133111ebUL;
        x ^= x >> 31;
        return x;
    }
}
