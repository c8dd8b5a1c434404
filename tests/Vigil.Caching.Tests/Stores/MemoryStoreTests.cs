using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Vigil.Caching.Rules;
using Vigil.Caching.Stores;

namespace Vigil.Caching.Tests.Stores;

public class MemoryStoreTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    internal static CacheEntry Entry(string key, int bodyBytes, string? vary = null, string? varyValue = null, DateTimeOffset? at = null)
    {
        var headers = new List<KeyValuePair<string, StringValues>> { new("Cache-Control", "max-age=60") };
        string[]? names = null;
        string?[]? values = null;
        if (vary is not null)
        {
            headers.Add(new("Vary", vary));
            names = VarySpec.Names(vary);
            var req = new HeaderDictionary();
            if (varyValue is not null) req[vary] = varyValue;
            values = VarySpec.Capture(names!, req);
        }
        var t = at ?? T0;
        return new CacheEntry(key, 200, [.. headers], new byte[bodyBytes], t, t, names, values);
    }

    [Fact]
    public void PutThenGetCountsBytesAndEntries()
    {
        var store = new MemoryStore(1 << 20);
        var e = Entry("http://a/x", 1000);
        store.Put(e);
        Assert.True(store.TryGet("http://a/x", out var v));
        Assert.Same(e, v.Entries.Single());
        Assert.Equal(1, store.Entries);
        Assert.Equal(v.Size, store.Bytes);
        Assert.True(store.Bytes > 1000);
    }

    [Fact]
    public void ReplacingAVariantUpdatesBytesNotEntries()
    {
        var store = new MemoryStore(1 << 20);
        store.Put(Entry("http://a/x", 1000));
        store.Put(Entry("http://a/x", 5000));
        Assert.Equal(1, store.Entries);
        Assert.True(store.TryGet("http://a/x", out var v));
        Assert.Equal(5000, v.Entries.Single().Body.Length);
        Assert.Equal(v.Size, store.Bytes);
    }

    [Fact]
    public void Rfc9111_4_1_VariantsAreKeptSideBySideAndSelectedByRequest()
    {
        var store = new MemoryStore(1 << 20);
        store.Put(Entry("http://a/x", 10, "Accept-Language", "fr"));
        store.Put(Entry("http://a/x", 20, "Accept-Language", "de"));
        Assert.Equal(2, store.Entries);
        Assert.True(store.TryGet("http://a/x", out var v));
        Assert.Equal(20, v.Select(new HeaderDictionary { ["Accept-Language"] = "de" })!.Body.Length);
        Assert.Equal(10, v.Select(new HeaderDictionary { ["Accept-Language"] = "fr" })!.Body.Length);
        Assert.Null(v.Select(new HeaderDictionary { ["Accept-Language"] = "en" }));
    }

    [Fact]
    public void EvictsLeastRecentlyUsedToStayUnderByteBudget()
    {
        var store = new MemoryStore(64 * 1024);
        for (var i = 0; i < 40; i++) store.Put(Entry($"http://a/{i}", 4096));
        Assert.True(store.Bytes <= store.BudgetBytes, $"{store.Bytes} > {store.BudgetBytes}");
        Assert.True(store.Evictions > 0);
        Assert.True(store.Entries is > 0 and < 40);
        // The latest key survives.
        Assert.True(store.TryGet("http://a/39", out _));
        // Counters agree with what is actually held.
        long bytes = 0, entries = 0;
        for (var i = 0; i < 40; i++)
        {
            if (store.TryGet($"http://a/{i}", out var v)) { bytes += v.Size; entries += v.Entries.Length; }
        }
        Assert.Equal(bytes, store.Bytes);
        Assert.Equal(entries, store.Entries);
    }

    [Fact]
    public void TooLargeEntryIsNotStored()
    {
        var store = new MemoryStore(8 * 1024);
        store.Put(Entry("http://a/big", 9000));
        Assert.False(store.TryGet("http://a/big", out _));
        Assert.Equal(0, store.Bytes);
    }

    [Fact]
    public void PurgeByExactKeyAndByPrefix()
    {
        var store = new MemoryStore(1 << 20);
        foreach (var k in new[] { "http://a/img/1", "http://a/img/2", "http://a/css/1", "http://b/img/1" }) store.Put(Entry(k, 10));
        Assert.True(store.Remove("http://a/css/1"));
        Assert.False(store.Remove("http://a/css/1"));
        Assert.Equal(2, store.RemovePrefix("http://a/img/"));
        Assert.True(store.TryGet("http://b/img/1", out _));
        Assert.Equal(1, store.Entries);
        Assert.True(store.TryGet("http://b/img/1", out var v));
        Assert.Equal(v.Size, store.Bytes);
    }

    [Fact]
    public void HitForPassMarkIsClearedByAStoredResponse()
    {
        var store = new MemoryStore(1 << 20);
        store.MarkPass("http://a/x", T0.AddSeconds(10));
        Assert.True(store.TryGet("http://a/x", out var v));
        Assert.Equal(T0.AddSeconds(10), v.PassUntil);
        Assert.Equal(0, store.Entries);
        store.Put(Entry("http://a/x", 10));
        Assert.True(store.TryGet("http://a/x", out v));
        Assert.Null(v.PassUntil);
        Assert.Equal(1, store.Entries);
    }

    [Fact]
    public void ReplaceFreshensOnlyIfStillStored()
    {
        var store = new MemoryStore(1 << 20);
        var old = Entry("http://a/x", 10);
        store.Put(old);
        var fresh = old.Freshen(new HeaderDictionary { ["Cache-Control"] = "max-age=600" }, T0.AddSeconds(100), T0.AddSeconds(100));
        store.Replace(old, fresh);
        Assert.True(store.TryGet("http://a/x", out var v));
        Assert.Same(fresh, v.Entries.Single());
        Assert.Equal(TimeSpan.FromSeconds(600), fresh.Lifetime);
        Assert.Same(old.Body, fresh.Body);
        store.Remove("http://a/x");
        store.Replace(fresh, fresh.Freshen(new HeaderDictionary(), T0, T0));
        Assert.False(store.TryGet("http://a/x", out _));
    }
}

public class MemoryStoreAccountingTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void HitForPassMarksAreChargedTheirKey()
    {
        // Keys just under the key limit: each mark holds a 3,000-character string (6,000 bytes in UTF-16).
        var store = new MemoryStore(256 * 1024);
        for (var i = 0; i < 200; i++) store.MarkPass($"http://{new string('a', 3000)}{i}/", T0.AddSeconds(60));
        Assert.True(store.Keys > 0);
        // What the store says it holds covers the keys it holds, and stays within its budget.
        Assert.True(store.Bytes >= store.Keys * 6000L, $"{store.Keys} marks of 6 KB reported as {store.Bytes} bytes");
        Assert.True(store.Bytes <= store.BudgetBytes, $"{store.Bytes} > {store.BudgetBytes}");
        Assert.True(store.Keys < 200);
    }

    [Fact]
    public void VariantRecordsAreChargedTheirKeyAndVaryNames()
    {
        var store = new MemoryStore(1 << 20);
        var key = "http://a/" + new string('k', 2000);
        var e = MemoryStoreTests.Entry(key, 10, "Accept-Language", "fr");
        store.Put(e);
        Assert.True(store.TryGet(key, out var v));
        // The LRU's own key, the entry's key and body are all counted.
        Assert.True(store.Bytes >= 2 * key.Length * 2L + 10, $"{store.Bytes}");
        Assert.Equal(v.Size, store.Bytes);
    }
}
