using System.Buffers;

namespace Vigil.Caching.Capture;

/// <summary>
/// The copy of a response body being stored, with a hard byte limit. When the length is announced it is one
/// exact array; otherwise pooled 16 KiB chunks joined at the end. Past the limit it drops everything and
/// reports <see cref="Overflowed"/>, so an oversized response keeps streaming to the client uncached.
/// Every byte held is reserved from the shared <see cref="CaptureBudget"/> until disposal.
/// </summary>
internal sealed class BodyBuffer : IDisposable
{
    private const int ChunkSize = 16 * 1024;

    private readonly long _limit;
    private readonly CaptureBudget _budget;
    private long _reserved;
    private byte[]? _exact;
    private List<byte[]>? _chunks;
    private int _lastChunkUsed;
    private long _length;

    public BodyBuffer(long limit, long? announcedLength, CaptureBudget budget)
    {
        _limit = limit;
        _budget = budget;
        if (announcedLength is { } n && n <= limit)
        {
            if (Reserve(n)) _exact = n == 0 ? [] : new byte[n];
            else Overflowed = true;
        }
    }

    private bool Reserve(long bytes)
    {
        if (!_budget.TryReserve(bytes)) return false;
        _reserved += bytes;
        return true;
    }

    public bool Overflowed { get; private set; }
    public long Length => _length;

    public void Append(ReadOnlySpan<byte> data)
    {
        if (Overflowed || data.IsEmpty) return;
        if (_length + data.Length > _limit || (_exact is not null && _length + data.Length > _exact.Length))
        {
            Overflowed = true;
            Dispose();
            return;
        }
        if (_exact is not null)
        {
            data.CopyTo(_exact.AsSpan((int)_length));
            _length += data.Length;
            return;
        }
        _chunks ??= [];
        while (!data.IsEmpty)
        {
            if (_chunks.Count == 0 || _lastChunkUsed == ChunkSize)
            {
                if (!Reserve(ChunkSize))
                {
                    Overflowed = true;
                    Dispose();
                    return;
                }
                _chunks.Add(ArrayPool<byte>.Shared.Rent(ChunkSize));
                _lastChunkUsed = 0;
            }
            var chunk = _chunks[^1];
            var n = Math.Min(data.Length, ChunkSize - _lastChunkUsed);
            data[..n].CopyTo(chunk.AsSpan(_lastChunkUsed));
            _lastChunkUsed += n;
            _length += n;
            data = data[n..];
        }
    }

    /// <summary>The body as one array of exactly <see cref="Length"/> bytes.</summary>
    public byte[] ToArray()
    {
        if (Overflowed) throw new InvalidOperationException("body overflowed its budget");
        if (_exact is not null) return _length == _exact.Length ? _exact : _exact.AsSpan(0, (int)_length).ToArray();
        var result = new byte[_length];
        var offset = 0;
        if (_chunks is not null)
        {
            for (var i = 0; i < _chunks.Count; i++)
            {
                var used = i == _chunks.Count - 1 ? _lastChunkUsed : ChunkSize;
                _chunks[i].AsSpan(0, used).CopyTo(result.AsSpan(offset));
                offset += used;
            }
        }
        return result;
    }

    public void Dispose()
    {
        _exact = null;
        _budget.Release(_reserved);
        _reserved = 0;
        if (_chunks is null) return;
        foreach (var c in _chunks) ArrayPool<byte>.Shared.Return(c);
        _chunks = null;
    }
}
