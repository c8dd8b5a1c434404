using BitFaster.Caching;
using BitFaster.Caching.Lru;

namespace Vigil.Caching.Stores;

/// <summary>
/// The in-memory store, bounded by bytes. Recency and lock-free reads come from BitFaster's ConcurrentLru;
/// it bounds by item count only, so the byte budget is enforced here: writers serialise on a lock, add the
/// entry's size, and trim the coldest keys until the total is back under budget.
/// </summary>
public sealed class MemoryStore
{
    private readonly ConcurrentLru<string, CacheVariants> _lru;
    private readonly Lock _write = new();
    private long _bytes;
    private long _entries;
    private long _evictions;

    public MemoryStore(long budgetBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(budgetBytes, 1024);
        BudgetBytes = budgetBytes;
        // Item-count capacity is only a backstop; bytes decide. One slot per KiB of budget is far above any
        // realistic entry count while keeping the LRU's preallocated tables small.
        var capacity = (int)Math.Clamp(budgetBytes / 1024, 128, 4_000_000);
        _lru = new ConcurrentLru<string, CacheVariants>(capacity);
        _lru.Events.Value!.ItemRemoved += OnRemoved;
        _lru.Events.Value!.ItemUpdated += OnUpdated;
    }

    public long BudgetBytes { get; }
    /// <summary>Bytes held by stored responses and hit-for-pass marks (keys, bodies, headers, Vary records and bookkeeping).</summary>
    public long Bytes => Interlocked.Read(ref _bytes);
    /// <summary>Stored responses (each Vary variant counts).</summary>
    public long Entries => Interlocked.Read(ref _entries);
    /// <summary>Keys removed to stay under budget.</summary>
    public long Evictions => Interlocked.Read(ref _evictions);
    /// <summary>Primary keys held, including hit-for-pass marks.</summary>
    public int Keys => _lru.Count;

    public bool TryGet(string key, out CacheVariants variants)
    {
        if (_lru.TryGet(key, out var v))
        {
            variants = v;
            return true;
        }
        variants = CacheVariants.Empty;
        return false;
    }

    /// <summary>Stores a response, replacing the variant with the same secondary key.</summary>
    public void Put(CacheEntry entry)
    {
        if (entry.Size > BudgetBytes || entry.Key.Length > CacheKey.MaxLength) return;
        lock (_write)
        {
            Set(entry.Key, _lru.TryGet(entry.Key, out var old) ? old.With(entry) : CacheVariants.Empty.With(entry));
        }
    }

    /// <summary>Replaces a stored response after a 304, if it is still stored.</summary>
    public void Replace(CacheEntry old, CacheEntry fresh)
    {
        lock (_write)
        {
            if (_lru.TryGet(old.Key, out var variants) && Array.IndexOf(variants.Entries, old) >= 0)
                Set(old.Key, variants.With(fresh));
        }
    }

    /// <summary>Remembers that <paramref name="key"/> proved uncacheable until <paramref name="until"/>.</summary>
    public void MarkPass(string key, DateTimeOffset until)
    {
        // A key too long to store is too long to mark: it passes through without leaving anything behind.
        if (key.Length > CacheKey.MaxLength) return;
        lock (_write)
        {
            Set(key, _lru.TryGet(key, out var old) ? old.WithPass(until) : new CacheVariants(key, [], until));
        }
    }

    public bool Remove(string key)
    {
        lock (_write)
        {
            return _lru.TryRemove(key);
        }
    }

    /// <summary>Removes every key starting with <paramref name="prefix"/>; a scan, meant for operators' purges.</summary>
    public int RemovePrefix(string prefix)
    {
        var removed = 0;
        foreach (var pair in _lru)
        {
            if (pair.Key.StartsWith(prefix, StringComparison.Ordinal) && Remove(pair.Key)) removed++;
        }
        return removed;
    }

    public void Clear()
    {
        lock (_write) _lru.Clear();
    }

    private void Set(string key, CacheVariants variants)
    {
        // Under _write: TryUpdate raises ItemUpdated (delta accounted there); a new key is accounted here.
        if (!_lru.TryUpdate(key, variants))
        {
            _lru.AddOrUpdate(key, variants);
            Interlocked.Add(ref _bytes, variants.Size);
            Interlocked.Add(ref _entries, variants.Entries.Length);
        }
        var trim = _lru.Policy.Eviction.Value!;
        while (Interlocked.Read(ref _bytes) > BudgetBytes && _lru.Count > 0)
        {
            var before = _lru.Count;
            trim.Trim(1);
            if (_lru.Count == before) break; // nothing trimmable right now; never spin
        }
    }

    private void OnRemoved(object? sender, ItemRemovedEventArgs<string, CacheVariants> e)
    {
        Interlocked.Add(ref _bytes, -e.Value!.Size);
        Interlocked.Add(ref _entries, -e.Value.Entries.Length);
        if (e.Reason is ItemRemovedReason.Evicted or ItemRemovedReason.Trimmed) Interlocked.Increment(ref _evictions);
    }

    private void OnUpdated(object? sender, ItemUpdatedEventArgs<string, CacheVariants> e)
    {
        Interlocked.Add(ref _bytes, e.NewValue!.Size - e.OldValue!.Size);
        Interlocked.Add(ref _entries, e.NewValue.Entries.Length - e.OldValue.Entries.Length);
    }
}
