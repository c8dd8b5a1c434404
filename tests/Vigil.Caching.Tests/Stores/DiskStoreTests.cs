using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Vigil.Caching.Stores;

namespace Vigil.Caching.Tests.Stores;

public sealed class DiskStoreTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "vigil-disk-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private DiskStore Open(long budget = 1 << 20) => new(_dir, budget, NullLogger.Instance);

    private static byte[] Body(int n, byte fill) => Enumerable.Repeat(fill, n).ToArray();

    private static CacheEntry Entry(string key, byte[] body, string? lang = null)
    {
        var e = MemoryStoreTests.Entry(key, 0, lang is null ? null : "Accept-Language", lang);
        return new CacheEntry(e.Key, 200, e.Headers, body, e.RequestTime, e.ResponseTime, e.VaryNames, e.VaryValues);
    }

    [Fact]
    public async Task EntriesSurviveReopenWithHeadersBodyTimesAndVariants()
    {
        var a = Entry("http://a/x", Body(5000, 7), "fr");
        var b = Entry("http://a/x", Body(10, 8), "de");
        await using (var disk = Open())
        {
            Assert.True(disk.Enqueue(a));
            Assert.True(disk.Enqueue(b));
            await disk.FlushAsync();
            Assert.Equal(2, disk.Entries);
        }

        await using var reopened = Open();
        Assert.Equal(2, reopened.Entries);
        Assert.True(reopened.Contains("http://a/x"));
        var loaded = await reopened.LoadAsync("http://a/x", CancellationToken.None);
        Assert.Equal(2, loaded.Length);
        var fr = new CacheVariants(loaded[0].Key, loaded, null).Select(new HeaderDictionary { ["Accept-Language"] = "fr" })!;
        Assert.Equal(a.Body, fr.Body);
        Assert.Equal(a.ResponseTime, fr.ResponseTime);
        Assert.Equal(a.Lifetime, fr.Lifetime);
        Assert.Equal(a.Headers.Select(h => (h.Key, h.Value.ToString())), fr.Headers.Select(h => (h.Key, h.Value.ToString())));
    }

    [Fact]
    public async Task TornAndTempFilesAreIgnoredAndDeletedAtStart()
    {
        await using (var disk = Open())
        {
            disk.Enqueue(Entry("http://a/good", Body(100, 1)));
            disk.Enqueue(Entry("http://a/torn", Body(100, 2)));
            await disk.FlushAsync();
        }
        var files = Directory.GetFiles(_dir);
        Assert.Equal(2, files.Length);
        // Simulate a crash mid-write of one file and a leftover temp file.
        var torn = files.Single(f => (File.ReadAllBytes(f).Count(b => b == 2)) >= 100);
        using (var fs = new FileStream(torn, FileMode.Open)) fs.SetLength(fs.Length - 10);
        File.WriteAllBytes(Path.Combine(_dir, "tmp-crashed"), [1, 2, 3]);

        await using var reopened = Open();
        Assert.Equal(1, reopened.Entries);
        Assert.True(reopened.Contains("http://a/good"));
        Assert.False(reopened.Contains("http://a/torn"));
        Assert.Single(Directory.GetFiles(_dir));
    }

    [Fact]
    public async Task DamagedBodyIsDetectedByHashOnLoad()
    {
        await using (var disk = Open())
        {
            disk.Enqueue(Entry("http://a/rot", Body(1000, 3)));
            await disk.FlushAsync();
        }
        var file = Directory.GetFiles(_dir).Single();
        var bytes = File.ReadAllBytes(file);
        bytes[bytes.Length - 100] ^= 0xFF; // same length, flipped bit in the body
        File.WriteAllBytes(file, bytes);

        await using var reopened = Open();
        Assert.True(reopened.Contains("http://a/rot"));
        Assert.Empty(await reopened.LoadAsync("http://a/rot", CancellationToken.None));
        Assert.False(reopened.Contains("http://a/rot"));
        Assert.Empty(Directory.GetFiles(_dir));
    }

    [Fact]
    public async Task EvictsLeastRecentlyUsedFilesOverBudget()
    {
        await using var disk = Open(budget: 64 * 1024);
        for (var i = 0; i < 20; i++)
        {
            disk.Enqueue(Entry($"http://a/{i}", Body(8 * 1024, (byte)i)));
            await disk.FlushAsync();
        }
        Assert.True(disk.Bytes <= disk.BudgetBytes);
        Assert.True(disk.Evictions > 0);
        Assert.True(disk.Contains("http://a/19"));
        Assert.False(disk.Contains("http://a/0"));
        Assert.Equal(disk.Entries, Directory.GetFiles(_dir).Length);
        Assert.Equal(disk.Bytes, Directory.GetFiles(_dir).Sum(f => new FileInfo(f).Length));
    }

    [Fact]
    public async Task TheInMemoryIndexOfHostileKeysIsBoundedToo()
    {
        // Files of about 4 KB each (the key is in the file) hold 8 KB of key each in the in-memory index: 250 of
        // them fit the 16 MiB disk budget easily, while their index would be twice what the files hold on disk.
        await using var disk = Open(budget: 16L << 20);
        for (var i = 0; i < 250; i++) disk.Enqueue(Entry($"http://a/{i}/" + new string('k', 4000), Body(10, 1)));
        await disk.FlushAsync();
        Assert.True(disk.IndexBytes <= disk.IndexBudgetBytes, $"{disk.IndexBytes} > {disk.IndexBudgetBytes}");
        Assert.True(disk.IndexBytes >= disk.Entries * 8000L, $"{disk.Entries} keys of 8 KB charged {disk.IndexBytes}");
        Assert.True(disk.Entries < 250);
        Assert.True(disk.Evictions > 0);
        Assert.Equal(disk.Entries, Directory.GetFiles(_dir).Length);
        Assert.Equal(disk.Bytes, Directory.GetFiles(_dir).Sum(f => new FileInfo(f).Length));
    }

    [Fact]
    public async Task PurgeRemovesFilesByKeyAndPrefix()
    {
        await using var disk = Open();
        foreach (var k in new[] { "http://a/img/1", "http://a/img/2", "http://a/css" }) disk.Enqueue(Entry(k, Body(10, 1)));
        await disk.FlushAsync();
        Assert.True(disk.Remove("http://a/css"));
        Assert.Equal(2, disk.RemovePrefix("http://a/img/"));
        Assert.Equal(0, disk.Entries);
        Assert.Equal(0, disk.Bytes);
        Assert.Equal(0, disk.IndexBytes);
        Assert.Empty(Directory.GetFiles(_dir));
    }

    [Fact]
    public async Task PurgeWinsOverWritesQueuedBeforeIt()
    {
        await using var disk = Open(budget: 64L << 20);
        for (var i = 0; i < 50; i++) disk.Enqueue(Entry($"http://a/q/{i}", Body(16 * 1024, 1)));
        disk.Enqueue(Entry("http://a/victim", Body(16 * 1024, 2)));
        // Some writes may be done already (the purge deletes them), the rest are still queued (dropped).
        var removedNow = disk.RemovePrefix("http://a/");
        Assert.InRange(removedNow, 0, 51);
        await disk.FlushAsync();
        Assert.False(disk.Contains("http://a/victim"));
        Assert.Equal(0, disk.Entries);
        Assert.Equal(0, disk.Bytes);
        Assert.Empty(Directory.GetFiles(_dir));

        // A write queued after the purge is kept.
        disk.Enqueue(Entry("http://a/victim", Body(10, 3)));
        await disk.FlushAsync();
        Assert.True(disk.Contains("http://a/victim"));
    }
}
