using System.Text;
using System.Text.RegularExpressions;

namespace Vigil.Tests.Hostile;

/// <summary>The peer sent bytes a strict RFC 9112 server refuses (answer 400 and close, §2.2, §6.3).</summary>
internal sealed class BadRequestException(string reason, string raw, bool proxysFault = true) : Exception(reason)
{
    public string Raw { get; } = raw;
    /// <summary>False for what is valid HTTP this origin merely will not take (a huge body): not the proxy's fault.</summary>
    public bool ProxysFault { get; } = proxysFault;
}

/// <summary>The connection ended in the middle of a message.</summary>
internal sealed class TruncatedException : Exception;

/// <summary>
/// A deliberately strict HTTP/1.1 request parser (RFC 9112) over one connection: CRLF only, no
/// obs-fold, no whitespace before a colon, digits-only Content-Length, exactly <c>chunked</c> as the
/// transfer coding, bounded chunk sizes. It reads messages one after another exactly by their framing,
/// so bytes smuggled inside one request show up as a request of their own. What a careful server would
/// still accept but a proxy must not forward (both Content-Length and Transfer-Encoding, a repeated
/// Content-Length) is accepted and noted as an anomaly.
/// </summary>
internal sealed partial class StrictRequestReader(Stream stream, CancellationToken cancellationToken)
{
    private const int MaxHead = 64 * 1024;
    private const int MaxBody = 1024 * 1024;
    private const int MaxFields = 128;

    private byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;
    private readonly MemoryStream _raw = new();

    /// <summary>The next request head, or null when the peer closed cleanly between requests.</summary>
    public async Task<(string Method, string Target, List<KeyValuePair<string, string>> Fields, string Raw)?> ReadHeadAsync()
    {
        _raw.SetLength(0);
        var first = await ReadLineAsync(allowEof: true, limit: MaxHead);
        if (first is null) return null;
        var requestLine = RequestLine().Match(first);
        if (!requestLine.Success) throw Bad("malformed request line");
        var fields = await ReadFieldsAsync();
        return (requestLine.Groups[1].Value, requestLine.Groups[2].Value, fields, Encoding.Latin1.GetString(_raw.ToArray()));
    }

    /// <summary>Reads the body the head's framing announces (RFC 9112 §6.3), noting anomalies.</summary>
    public async Task<byte[]> ReadBodyAsync(List<KeyValuePair<string, string>> fields, List<string> anomalies)
    {
        var transferEncodings = fields.Where(f => f.Key.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)).ToList();
        var lengths = fields.Where(f => f.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)).ToList();
        if (transferEncodings.Count > 0)
        {
            var codings = transferEncodings.SelectMany(f => f.Value.Split(',')).Select(c => c.Trim(' ', '\t')).ToList();
            if (transferEncodings.Count > 1) anomalies.Add("Transfer-Encoding in several field lines");
            // §6.3 item 4: chunked not last → the length cannot be known: 400 and close. Anything but a
            // single "chunked" is a coding this server does not implement (§6.1: 501); either way it is refused.
            if (!codings[^1].Equals("chunked", StringComparison.OrdinalIgnoreCase))
                throw Bad($"Transfer-Encoding '{string.Join(", ", codings)}' does not end in chunked");
            if (codings.Count != 1) throw Bad($"Transfer-Encoding '{string.Join(", ", codings)}' is not just chunked");
            // §6.1: "an intermediary ... MUST remove the received Content-Length field prior to forwarding".
            if (lengths.Count > 0) anomalies.Add("both Content-Length and Transfer-Encoding");
            return await ReadChunkedAsync();
        }
        if (lengths.Count == 0) return [];
        var values = lengths.SelectMany(f => f.Value.Split(',')).Select(v => v.Trim(' ', '\t')).ToList();
        foreach (var v in values)
            if (v.Length == 0 || !v.All(char.IsAsciiDigit)) throw Bad($"Content-Length '{v}' is not digits");
        if (values.Distinct().Count() > 1) throw Bad($"differing Content-Length values {string.Join(", ", values)}");
        // RFC 9110 §8.6: a proxy may collapse "42, 42" into one value; forwarding the list is not clean.
        if (values.Count > 1) anomalies.Add("repeated Content-Length");
        // Any number of digits is valid (RFC 9110 §8.6); this origin just will not read that much (413).
        if (values[0].TrimStart('0').Length > 7 || int.Parse(values[0]) > MaxBody) throw Bad("body too large", proxysFault: false);
        var length = int.Parse(values[0]);
        return await ReadExactlyAsync(length);
    }

    private async Task<byte[]> ReadChunkedAsync()
    {
        var body = new MemoryStream();
        while (true)
        {
            var line = await ReadLineAsync(allowEof: false, limit: 4096);
            var size = ChunkSize().Match(line!);
            if (!size.Success) throw Bad("malformed chunk size line");
            // More than 15 hex digits cannot be a length anyone means (and overflow 64 bits in lax parsers).
            if (size.Groups[1].Value.Length > 15) throw Bad("chunk size beyond 64 bits");
            var length = Convert.ToInt64(size.Groups[1].Value, 16);
            if (body.Length + length > MaxBody) throw Bad("body too large", proxysFault: false);
            if (length == 0) break;
            body.Write(await ReadExactlyAsync((int)length));
            var end = await ReadExactlyAsync(2);
            if (end[0] != '\r' || end[1] != '\n') throw Bad("chunk data not followed by CRLF");
        }
        await ReadFieldsAsync(); // trailer section (§7.1.2), same syntax as the head's fields
        return body.ToArray();
    }

    private async Task<List<KeyValuePair<string, string>>> ReadFieldsAsync()
    {
        var fields = new List<KeyValuePair<string, string>>();
        while (true)
        {
            var line = await ReadLineAsync(allowEof: false, limit: MaxHead);
            if (line!.Length == 0) return fields;
            if (line[0] is ' ' or '\t') throw Bad("obs-fold (RFC 9112 §5.2)");
            var colon = line.IndexOf(':');
            if (colon <= 0) throw Bad("field line without a name and colon");
            var name = line[..colon];
            if (name[^1] is ' ' or '\t') throw Bad("whitespace between field name and colon (RFC 9112 §5.1)");
            if (!Token().IsMatch(name)) throw Bad($"field name '{name}' is not a token");
            var value = line[(colon + 1)..].Trim(' ', '\t');
            if (value.Any(c => c < 0x20 && c != '\t' || c == 0x7F)) throw Bad($"control character in field {name}");
            if (fields.Count == MaxFields) throw Bad("too many fields");
            fields.Add(new(name, value));
        }
    }

    /// <summary>A line without its CRLF; a bare LF or CR anywhere is refused (RFC 9112 §2.2 allows a server to, and a careful one does).</summary>
    private async Task<string?> ReadLineAsync(bool allowEof, int limit)
    {
        var searched = 0;
        while (true)
        {
            var lf = Array.IndexOf(_buffer, (byte)'\n', _start + searched, _end - _start - searched);
            if (lf >= 0)
            {
                var lineBytes = _buffer.AsSpan(_start, lf - _start + 1);
                _raw.Write(lineBytes);
                _start = lf + 1;
                if (lineBytes.Length < 2 || lineBytes[^2] != '\r') throw Bad("bare LF as a line terminator");
                var content = lineBytes[..^2];
                if (content.IndexOf((byte)'\r') >= 0) throw Bad("bare CR");
                if (content.IndexOf((byte)0) >= 0) throw Bad("NUL");
                return Encoding.Latin1.GetString(content);
            }
            searched = _end - _start;
            if (searched > limit) throw Bad("line too long");
            if (!await FillAsync())
            {
                if (allowEof && _end == _start) return null;
                throw new TruncatedException();
            }
        }
    }

    private async Task<byte[]> ReadExactlyAsync(int count)
    {
        while (_end - _start < count)
            if (!await FillAsync()) throw new TruncatedException();
        var bytes = _buffer.AsSpan(_start, count).ToArray();
        _raw.Write(bytes);
        _start += count;
        return bytes;
    }

    private async Task<bool> FillAsync()
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
        var n = await stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
        _end += n;
        return n > 0;
    }

    private BadRequestException Bad(string reason, bool proxysFault = true)
    {
        var seen = Encoding.Latin1.GetString(_raw.ToArray()) + Encoding.Latin1.GetString(_buffer, _start, Math.Min(_end - _start, 256));
        return new BadRequestException(reason, seen.Length > 512 ? seen[..512] : seen, proxysFault);
    }

    [GeneratedRegex(@"^([!#$%&'*+\-.^_`|~0-9A-Za-z]+) ([!-~]+) (HTTP/1\.[01])$")]
    private static partial Regex RequestLine();

    [GeneratedRegex(@"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")]
    private static partial Regex Token();

    // chunk-size [ chunk-ext ]: chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] ) (RFC 9112 §7.1.1).
    [GeneratedRegex("""^([0-9A-Fa-f]+)((?:[ \t]*;[ \t]*[!#$%&'*+\-.^_`|~0-9A-Za-z]+(?:[ \t]*=[ \t]*(?:[!#$%&'*+\-.^_`|~0-9A-Za-z]+|"(?:[^"\\]|\\.)*"))?)*)$""")]
    private static partial Regex ChunkSize();
}
