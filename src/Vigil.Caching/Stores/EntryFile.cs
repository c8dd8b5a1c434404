using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Primitives;

namespace Vigil.Caching.Stores;

/// <summary>
/// The on-disk form of one <see cref="CacheEntry"/>:
/// <c>"VGC1" | meta length (int32) | meta | body length (int64) | body | SHA-256(meta ‖ body)</c>.
/// The trailing hash lets a reader reject a damaged file; the lengths let the index be rebuilt from the
/// meta part alone.
/// </summary>
internal static class EntryFile
{
    public const string Extension = ".vgc";
    private static ReadOnlySpan<byte> Magic => "VGC1"u8;
    private const int HashLength = 32;

    /// <summary>A stable file name for the entry's primary key and Vary variant.</summary>
    public static string NameFor(CacheEntry entry)
    {
        var sb = new StringBuilder(entry.Key);
        if (entry.VaryNames is not null)
        {
            for (var i = 0; i < entry.VaryNames.Length; i++)
                sb.Append('\n').Append(entry.VaryNames[i]).Append('=').Append(entry.VaryValues![i] ?? "\0");
        }
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString()));
        return Convert.ToHexStringLower(hash.AsSpan(0, 16)) + Extension;
    }

    public static async Task WriteAsync(Stream stream, CacheEntry entry, CancellationToken ct)
    {
        var meta = SerializeMeta(entry);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(meta);
        sha.AppendData(entry.Body);
        var prefix = new byte[8];
        Magic.CopyTo(prefix);
        BitConverter.TryWriteBytes(prefix.AsSpan(4), meta.Length);
        await stream.WriteAsync(prefix, ct);
        await stream.WriteAsync(meta, ct);
        await stream.WriteAsync(BitConverter.GetBytes((long)entry.Body.Length), ct);
        await stream.WriteAsync(entry.Body, ct);
        await stream.WriteAsync(sha.GetHashAndReset(), ct);
    }

    /// <summary>Reads the key (and total expected length) from the head of a file, for the index.</summary>
    public static bool TryReadKey(Stream stream, long fileLength, out string key)
    {
        key = "";
        Span<byte> prefix = stackalloc byte[8];
        if (stream.ReadAtLeast(prefix, 8, throwOnEndOfStream: false) != 8 || !prefix[..4].SequenceEqual(Magic)) return false;
        var metaLength = BitConverter.ToInt32(prefix[4..]);
        if (metaLength <= 0 || 8L + metaLength + 8 + HashLength > fileLength) return false;
        var meta = new byte[metaLength];
        if (stream.ReadAtLeast(meta, metaLength, throwOnEndOfStream: false) != metaLength) return false;
        Span<byte> len = stackalloc byte[8];
        if (stream.ReadAtLeast(len, 8, throwOnEndOfStream: false) != 8) return false;
        var bodyLength = BitConverter.ToInt64(len);
        // A file of any other length is torn or foreign.
        if (bodyLength < 0 || 8L + metaLength + 8 + bodyLength + HashLength != fileLength) return false;
        try
        {
            using var reader = new BinaryReader(new MemoryStream(meta), Encoding.UTF8);
            key = reader.ReadString();
            return true;
        }
        catch (EndOfStreamException)
        {
            return false;
        }
    }

    /// <summary>Parses and verifies a whole file; null when damaged in any way.</summary>
    public static CacheEntry? Read(byte[] file)
    {
        try
        {
            var span = file.AsSpan();
            if (span.Length < 8 + 8 + HashLength || !span[..4].SequenceEqual(Magic)) return null;
            var metaLength = BitConverter.ToInt32(span[4..]);
            if (metaLength <= 0 || 8L + metaLength + 8 + HashLength > span.Length) return null;
            var bodyLength = BitConverter.ToInt64(span[(8 + metaLength)..]);
            if (bodyLength < 0 || 8L + metaLength + 8 + bodyLength + HashLength != span.Length) return null;
            var meta = span.Slice(8, metaLength);
            var body = span.Slice(8 + metaLength + 8, (int)bodyLength);
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            sha.AppendData(meta);
            sha.AppendData(body);
            Span<byte> hash = stackalloc byte[HashLength];
            sha.GetHashAndReset(hash);
            if (!hash.SequenceEqual(span[^HashLength..])) return null;
            return DeserializeMeta(meta.ToArray(), body.ToArray());
        }
        catch (Exception e) when (e is EndOfStreamException or ArgumentException or FormatException or IOException)
        {
            return null;
        }
    }

    private static byte[] SerializeMeta(CacheEntry entry)
    {
        using var ms = new MemoryStream();
        using (var w = new BinaryWriter(ms, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(entry.Key);
            w.Write(entry.StatusCode);
            w.Write(entry.RequestTime.UtcTicks);
            w.Write(entry.ResponseTime.UtcTicks);
            WriteStrings(w, entry.VaryNames);
            WriteStrings(w, entry.VaryValues);
            w.Write(entry.Headers.Length);
            foreach (var field in entry.Headers)
            {
                w.Write(field.Key);
                WriteStrings(w, field.Value.ToArray());
            }
        }
        return ms.ToArray();
    }

    private static CacheEntry DeserializeMeta(byte[] meta, byte[] body)
    {
        using var r = new BinaryReader(new MemoryStream(meta), Encoding.UTF8);
        var key = r.ReadString();
        var status = r.ReadInt32();
        var requestTime = new DateTimeOffset(r.ReadInt64(), TimeSpan.Zero);
        var responseTime = new DateTimeOffset(r.ReadInt64(), TimeSpan.Zero);
        var varyNames = ReadStrings(r);
        var varyValues = ReadStrings(r);
        var count = r.ReadInt32();
        if (count < 0 || count > 10_000) throw new FormatException("header count");
        var headers = new KeyValuePair<string, StringValues>[count];
        for (var i = 0; i < count; i++)
        {
            var name = r.ReadString();
            headers[i] = new(name, new StringValues(ReadStrings(r)));
        }
        return new CacheEntry(key, status, headers, body, requestTime, responseTime,
            varyNames is null ? null : [.. varyNames.Select(n => n!)], varyValues);
    }

    private static void WriteStrings(BinaryWriter w, string?[]? values)
    {
        if (values is null)
        {
            w.Write(-1);
            return;
        }
        w.Write(values.Length);
        foreach (var v in values)
        {
            w.Write(v is not null);
            if (v is not null) w.Write(v);
        }
    }

    private static string?[]? ReadStrings(BinaryReader r)
    {
        var n = r.ReadInt32();
        if (n < 0) return null;
        if (n > 10_000) throw new FormatException("list length");
        var values = new string?[n];
        for (var i = 0; i < n; i++) values[i] = r.ReadBoolean() ? r.ReadString() : null;
        return values;
    }
}
