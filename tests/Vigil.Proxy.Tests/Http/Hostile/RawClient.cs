using System.Net.Sockets;
using System.Text;

namespace Vigil.Proxy.Tests.Http.Hostile;

/// <summary>One response as a raw client read it.</summary>
internal sealed record RawResponse(int Status, string Head, string Body);

/// <summary>
/// A client on a raw socket: sends exactly the bytes a test gives (what HttpClient would refuse to
/// send) and reads responses one by one, framed by Content-Length or chunked. Every read is bounded.
/// </summary>
internal sealed class RawClient : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private readonly TcpClient _tcp = new();
    private readonly byte[] _buffer = new byte[256 * 1024];
    private NetworkStream _stream = null!;
    private int _start, _end;

    private RawClient() { }

    public static async Task<RawClient> ConnectAsync(Uri proxy)
    {
        var client = new RawClient();
        await client._tcp.ConnectAsync(proxy.Host, proxy.Port).WaitAsync(Bound);
        client._stream = client._tcp.GetStream();
        return client;
    }

    public Task SendAsync(string text) => _stream.WriteAsync(Encoding.Latin1.GetBytes(text)).AsTask().WaitAsync(Bound);

    /// <summary>Sends <paramref name="request"/> on a fresh connection and reads its one response.</summary>
    public static async Task<RawResponse> ExchangeAsync(Uri proxy, string request)
    {
        using var client = await ConnectAsync(proxy);
        await client.SendAsync(request);
        return await client.ReadResponseAsync() ?? throw new IOException("the proxy closed without a response");
    }

    /// <summary>The next response, or null when the proxy closed the connection first.</summary>
    public async Task<RawResponse?> ReadResponseAsync(bool head = false)
    {
        var block = await ReadUntilAsync("\r\n\r\n"u8.ToArray());
        if (block is null) return null;
        var status = int.Parse(block.AsSpan(9, 3));
        string? body = "";
        var length = HeaderOf(block, "Content-Length");
        if (head || status is 204 or 304 || status < 200) body = "";
        else if (HeaderOf(block, "Transfer-Encoding") is { } te && te.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            var text = new StringBuilder();
            while (true)
            {
                var line = await ReadUntilAsync("\r\n"u8.ToArray());
                if (line is null) return new RawResponse(status, block, text.ToString()); // cut: what came
                var size = Convert.ToInt32(line.TrimEnd().Split(';')[0], 16);
                if (size == 0)
                {
                    while (await ReadUntilAsync("\r\n"u8.ToArray()) is { Length: > 2 }) { }
                    break;
                }
                text.Append(await ReadCountAsync(size));
                await ReadUntilAsync("\r\n"u8.ToArray());
            }
            body = text.ToString();
        }
        else if (length is not null) body = await ReadCountAsync(int.Parse(length)) ?? "";
        else body = await ReadToEndAsync();
        return new RawResponse(status, block, body);
    }

    /// <summary>Whether the proxy closed the connection (within the bound) rather than sending more.</summary>
    public async Task<bool> IsClosedAsync()
    {
        try { return _end == _start && await _stream.ReadAsync(_buffer.AsMemory(_end)).AsTask().WaitAsync(Bound) == 0; }
        catch (IOException) { return true; }
    }

    private static string? HeaderOf(string head, string name)
    {
        foreach (var line in head.Split("\r\n").Skip(1))
        {
            var colon = line.IndexOf(':');
            if (colon > 0 && line[..colon].Equals(name, StringComparison.OrdinalIgnoreCase)) return line[(colon + 1)..].Trim();
        }
        return null;
    }

    private async Task<bool> FillAsync()
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        int n;
        try { n = await _stream.ReadAsync(_buffer.AsMemory(_end)).AsTask().WaitAsync(Bound); }
        catch (IOException) { return false; } // reset
        _end += n;
        return n > 0;
    }

    private async Task<string?> ReadUntilAsync(byte[] terminator)
    {
        while (true)
        {
            var index = _buffer.AsSpan(_start, _end - _start).IndexOf(terminator);
            if (index >= 0)
            {
                var text = Encoding.Latin1.GetString(_buffer, _start, index + terminator.Length);
                _start += index + terminator.Length;
                return text;
            }
            if (!await FillAsync()) return null;
        }
    }

    private async Task<string?> ReadCountAsync(int count)
    {
        while (_end - _start < count)
            if (!await FillAsync()) return null;
        var text = Encoding.Latin1.GetString(_buffer, _start, count);
        _start += count;
        return text;
    }

    private async Task<string> ReadToEndAsync()
    {
        while (await FillAsync()) { }
        var text = Encoding.Latin1.GetString(_buffer, _start, _end - _start);
        _start = _end;
        return text;
    }

    public void Dispose() => _tcp.Dispose();
}
