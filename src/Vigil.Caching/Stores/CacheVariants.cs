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

    /// <summary>
    /// Bookkeeping of a key in the LRU besides the key string itself (LRU item, dictionary node, this object and
    /// its array), so that hit-for-pass marks, which hold no response, still count.
    /// </summary>
    private const int Overhead = 256;

    /// <summary>Nothing stored: what a lookup that found nothing sees.</summary>
    public static readonly CacheVariants Empty = new("", [], null);

    public CacheVariants(string key, CacheEntry[] entries, DateTimeOffset? passUntil)
    {
        Key = key;
        Entries = entries;
        PassUntil = passUntil;
        // The LRU holds the key string once more than the entries do (UTF-16: two bytes a character); a hostile
        // key of kilobytes must cost what it holds, or marks of tiny charge could fill memory unseen.
        long size = Overhead + 2L * key.Length;
        foreach (var e in entries) size += e.Size;
        Size = size;
    }

    /// <summary>The primary key these responses are stored under.</summary>
    public string Key { get; }
    public CacheEntry[] Entries { get; }
    public DateTimeOffset? PassUntil { get; }
    /// <summary>Bytes counted against the store's budget: the key, the bookkeeping and every variant.</summary>
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
        return new CacheVariants(Key.Length == 0 ? entry.Key : Key, [.. list], null);
    }

    public CacheVariants WithPass(DateTimeOffset until) => new(Key, Entries, until);
}
