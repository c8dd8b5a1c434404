using Microsoft.AspNetCore.Http;

namespace Vigil.Caching.Stores;

/// <summary>
/// Everything stored under one primary key: the responses that differ by Vary (RFC 9111 §4.1) and an optional
/// hit-for-pass mark saying that the key recently proved uncacheable. Immutable, replaced on update.
/// </summary>
public sealed class CacheVariants
{
    /// <summary>Enough for Accept-Encoding/Accept-Language variants without letting a hostile Vary grow a key unbounded.</summary>
    public const int MaxVariants = 8;

    /// <summary>Bookkeeping of a key in the LRU (node, key string, this object), so hit-for-pass marks also count.</summary>
    private const int Overhead = 256;

    public static readonly CacheVariants Empty = new([], null);

    public CacheVariants(CacheEntry[] entries, DateTimeOffset? passUntil)
    {
        Entries = entries;
        PassUntil = passUntil;
        long size = Overhead;
        foreach (var e in entries) size += e.Size;
        Size = size;
    }

    public CacheEntry[] Entries { get; }
    public DateTimeOffset? PassUntil { get; }
    public long Size { get; }

    /// <summary>The most recent stored response whose Vary matches the request (RFC 9111 §4.1).</summary>
    public CacheEntry? Select(IHeaderDictionary request)
    {
        CacheEntry? best = null;
        foreach (var e in Entries)
        {
            if (!e.MatchesVary(request)) continue;
            if (best is null || (e.Date ?? e.ResponseTime) > (best.Date ?? best.ResponseTime)) best = e;
        }
        return best;
    }

    /// <summary>Adds or replaces the variant with the same secondary key; a storable response clears hit-for-pass.</summary>
    public CacheVariants With(CacheEntry entry)
    {
        var list = new List<CacheEntry>(Entries.Length + 1) { entry };
        foreach (var e in Entries)
        {
            if (!e.SameVariant(entry)) list.Add(e);
        }
        if (list.Count > MaxVariants)
        {
            // Drop the oldest variants beyond the cap.
            list.Sort(static (a, b) => b.ResponseTime.CompareTo(a.ResponseTime));
            list.RemoveRange(MaxVariants, list.Count - MaxVariants);
        }
        return new CacheVariants([.. list], null);
    }

    public CacheVariants WithPass(DateTimeOffset until) => new(Entries, until);
}
