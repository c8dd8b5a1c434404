using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Vigil.Caching.Stores;

/// <summary>
/// A disk tier under the memory store that survives restarts. Each stored response is one file written as
/// temp file → fsync → rename, so after a crash a name holds either the old or the new complete file, never
/// a torn one; files of the wrong length or hash are ignored and deleted. Writes go through one background
/// writer so the request path never waits on the disk; the index is rebuilt from file heads at start.
/// </summary>
public sealed class DiskStore : IAsyncDisposable
{
    /// <summary>Writes queued beyond this are dropped: the disk tier is best effort, memory still has them.</summary>
    private const int QueueCapacity = 1024;

    private readonly string _directory;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, Record[]> _index = new(StringComparer.Ordinal);
    private readonly Channel<Pending> _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(QueueCapacity)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.DropWrite,
    });
    private readonly Lock _gate = new();
    private readonly Task _writer;
    // Removal epochs keep a write queued before a purge from resurrecting the purged key.
    private readonly Dictionary<string, long> _removedKeys = new(StringComparer.Ordinal);
    private readonly List<(string Prefix, long Epoch)> _removedPrefixes = [];
    private long _epoch;
    private long _pending;
    private long _bytes;
    private long _indexBytes;
    private long _entries;
    private long _evictions;

    public DiskStore(string directory, long budgetBytes, ILogger logger)
    {
        _directory = Path.GetFullPath(directory);
        BudgetBytes = budgetBytes;
        _logger = logger;
        Directory.CreateDirectory(_directory);
        Rebuild();
        _writer = Task.Run(WriteLoopAsync);
    }

    public long BudgetBytes { get; }
    /// <summary>Bytes the in-memory index holds: each stored file's key (UTF-16) and bookkeeping.</summary>
    public long IndexBytes => Interlocked.Read(ref _indexBytes);

    /// <summary>
    /// Budget of the in-memory index: 1/32 of the disk budget, at least 1 MiB. Typical keys of about a hundred
    /// characters over files of kilobytes use a few percent of it; files of 4 KiB keys and tiny bodies would
    /// otherwise make the index hold twice what the disk holds, all of it in memory.
    /// </summary>
    public long IndexBudgetBytes => Math.Max(1L << 20, BudgetBytes / 32);
    public long Bytes => Interlocked.Read(ref _bytes);
    public long Entries => Interlocked.Read(ref _entries);
    public long Evictions => Interlocked.Read(ref _evictions);

    public bool Contains(string key) => _index.ContainsKey(key);

    /// <summary>Reads every stored variant of <paramref name="key"/>; damaged files are deleted and skipped.</summary>
    public async Task<CacheEntry[]> LoadAsync(string key, CancellationToken ct)
    {
        if (!_index.TryGetValue(key, out var records)) return [];
        var entries = new List<CacheEntry>(records.Length);
        foreach (var record in records)
        {
            byte[] bytes;
            try
            {
                bytes = await File.ReadAllBytesAsync(Path.Combine(_directory, record.FileName), ct);
            }
            catch (IOException)
            {
                Forget(key, record.FileName);
                continue;
            }
            var entry = EntryFile.Read(bytes);
            if (entry is null || entry.Key != key)
            {
                _logger.LogWarning("disk cache: ignoring damaged file {File}", record.FileName);
                Delete(key, record.FileName);
                continue;
            }
            record.Touch();
            entries.Add(entry);
        }
        return [.. entries];
    }

    /// <summary>Queues the entry to be written; returns false when the queue is full and it was dropped.</summary>
    public bool Enqueue(CacheEntry entry)
    {
        Interlocked.Increment(ref _pending);
        if (_queue.Writer.TryWrite(new Pending(entry, Interlocked.Read(ref _epoch)))) return true;
        Interlocked.Decrement(ref _pending);
        return false;
    }

    /// <summary>Waits until every write queued so far is on disk (tests, shutdown).</summary>
    public async Task FlushAsync(CancellationToken ct = default)
    {
        while (Interlocked.Read(ref _pending) > 0) await Task.Delay(5, ct);
    }

    public bool Remove(string key)
    {
        lock (_gate)
        {
            // Tombstones only matter to writes already queued; without any, none is kept (no growth).
            var epoch = ++_epoch;
            if (Interlocked.Read(ref _pending) > 0) _removedKeys[key] = epoch;
            if (!_index.TryRemove(key, out var records)) return false;
            foreach (var r in records) DeleteFile(r);
            return true;
        }
    }

    public int RemovePrefix(string prefix)
    {
        lock (_gate)
        {
            var epoch = ++_epoch;
            if (Interlocked.Read(ref _pending) > 0) _removedPrefixes.Add((prefix, epoch));
            var removed = 0;
            foreach (var key in _index.Keys)
            {
                if (!key.StartsWith(prefix, StringComparison.Ordinal) || !_index.TryRemove(key, out var records)) continue;
                foreach (var r in records) DeleteFile(r);
                removed++;
            }
            return removed;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer;
    }

    private void Rebuild()
    {
        foreach (var path in Directory.EnumerateFiles(_directory))
        {
            var name = Path.GetFileName(path);
            // Temp files are writes a crash interrupted.
            if (name.StartsWith("tmp-", StringComparison.Ordinal))
            {
                TryDelete(path);
                continue;
            }
            if (!name.EndsWith(EntryFile.Extension, StringComparison.Ordinal)) continue;
            try
            {
                using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096);
                var length = stream.Length;
                if (!EntryFile.TryReadKey(stream, length, out var key))
                {
                    _logger.LogWarning("disk cache: deleting torn file {File}", name);
                    stream.Dispose();
                    TryDelete(path);
                    continue;
                }
                var record = new Record(name, length, File.GetLastWriteTimeUtc(path).Ticks, IndexCost(key));
                _index.AddOrUpdate(key, [record], (_, old) => [.. old, record]);
                Interlocked.Add(ref _bytes, length);
                Interlocked.Add(ref _indexBytes, record.IndexCost);
                Interlocked.Increment(ref _entries);
            }
            catch (IOException e)
            {
                _logger.LogWarning(e, "disk cache: cannot read {File}", name);
            }
        }
        _logger.LogInformation("disk cache {Directory}: {Entries} entries, {Bytes} bytes", _directory, Entries, Bytes);
    }

    private async Task WriteLoopAsync()
    {
        await foreach (var pending in _queue.Reader.ReadAllAsync())
        {
            try
            {
                await WriteAsync(pending);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _logger.LogWarning(e, "disk cache: write of {Key} failed", pending.Entry.Key);
            }
            finally
            {
                Interlocked.Decrement(ref _pending);
            }
        }
    }

    private async Task WriteAsync(Pending pending)
    {
        var entry = pending.Entry;
        var name = EntryFile.NameFor(entry);
        var temp = Path.Combine(_directory, $"tmp-{Guid.NewGuid():N}");
        long length;
        await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true))
        {
            await EntryFile.WriteAsync(stream, entry, CancellationToken.None);
            await stream.FlushAsync();
            // fsync before rename: the new name must never point at data still in the page cache only.
            stream.Flush(flushToDisk: true);
            length = stream.Length;
        }

        lock (_gate)
        {
            if (RemovedSince(entry.Key, pending.Epoch))
            {
                TryDelete(temp);
                return;
            }
            File.Move(temp, Path.Combine(_directory, name), overwrite: true);
            var record = new Record(name, length, DateTime.UtcNow.Ticks, IndexCost(entry.Key));
            _index.AddOrUpdate(entry.Key, [record], (_, old) =>
            {
                var replaced = old.FirstOrDefault(r => r.FileName == name);
                if (replaced is not null)
                {
                    Interlocked.Add(ref _bytes, -replaced.Size);
                    Interlocked.Add(ref _indexBytes, -replaced.IndexCost);
                    Interlocked.Decrement(ref _entries);
                }
                return [.. old.Where(r => r.FileName != name), record];
            });
            Interlocked.Add(ref _bytes, length);
            Interlocked.Add(ref _indexBytes, record.IndexCost);
            Interlocked.Increment(ref _entries);
            if (Interlocked.Read(ref _pending) <= 1)
            {
                _removedKeys.Clear();
                _removedPrefixes.Clear();
            }
            EvictIfOverBudget();
        }
    }

    private bool RemovedSince(string key, long epoch)
    {
        if (_removedKeys.TryGetValue(key, out var at) && at > epoch) return true;
        foreach (var (prefix, e) in _removedPrefixes)
        {
            if (e > epoch && key.StartsWith(prefix, StringComparison.Ordinal)) return true;
        }
        return false;
    }

    /// <summary>
    /// Deletes least recently used files down to 90% of the budget, on disk and in the index (whichever is over);
    /// called under the gate.
    /// </summary>
    private void EvictIfOverBudget()
    {
        if (Bytes <= BudgetBytes && IndexBytes <= IndexBudgetBytes) return;
        var target = BudgetBytes * 9 / 10;
        var indexTarget = IndexBudgetBytes * 9 / 10;
        var all = _index.SelectMany(kv => kv.Value.Select(r => (Key: kv.Key, Record: r))).OrderBy(x => x.Record.LastAccess).ToList();
        foreach (var (key, record) in all)
        {
            if (Bytes <= target && IndexBytes <= indexTarget) break;
            Forget(key, record.FileName);
            TryDelete(Path.Combine(_directory, record.FileName));
            Interlocked.Increment(ref _evictions);
        }
    }

    private void Delete(string key, string fileName)
    {
        lock (_gate)
        {
            Forget(key, fileName);
            TryDelete(Path.Combine(_directory, fileName));
        }
    }

    private void Forget(string key, string fileName)
    {
        lock (_gate)
        {
            if (!_index.TryGetValue(key, out var records)) return;
            var record = records.FirstOrDefault(r => r.FileName == fileName);
            if (record is null) return;
            var rest = records.Where(r => r != record).ToArray();
            if (rest.Length == 0) _index.TryRemove(key, out _);
            else _index[key] = rest;
            Interlocked.Add(ref _bytes, -record.Size);
            Interlocked.Add(ref _indexBytes, -record.IndexCost);
            Interlocked.Decrement(ref _entries);
        }
    }

    private void DeleteFile(Record record)
    {
        Interlocked.Add(ref _bytes, -record.Size);
        Interlocked.Add(ref _indexBytes, -record.IndexCost);
        Interlocked.Decrement(ref _entries);
        TryDelete(Path.Combine(_directory, record.FileName));
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
    }

    private readonly record struct Pending(CacheEntry Entry, long Epoch);

    /// <summary>What one file costs the in-memory index: its key (UTF-16), the record, its file name and the dictionary node.</summary>
    private static long IndexCost(string key) => 2L * key.Length + 256;

    private sealed class Record(string fileName, long size, long lastAccess, long indexCost)
    {
        private long _lastAccess = lastAccess;
        public string FileName { get; } = fileName;
        public long Size { get; } = size;
        public long IndexCost { get; } = indexCost;
        public long LastAccess => Interlocked.Read(ref _lastAccess);
        public void Touch() => Interlocked.Exchange(ref _lastAccess, DateTime.UtcNow.Ticks);
    }
}
