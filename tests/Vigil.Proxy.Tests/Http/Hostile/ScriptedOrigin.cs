using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Vigil.Proxy.Tests.Http.Hostile;

/// <summary>One request as the origin parsed it off the wire.</summary>
internal sealed record OriginRequest(int Connection, string Method, string Target, string Head, string Body)
{
    /// <summary>The value of the first header named <paramref name="name"/>, or null.</summary>
    public string? Header(string name)
    {
        foreach (var line in Head.Split("\r\n").Skip(1))
        {
            var colon = line.IndexOf(':');
            if (colon > 0 && line[..colon].Equals(name, StringComparison.OrdinalIgnoreCase)) return line[(colon + 1)..].Trim();
        }
        return null;
    }
}

/// <summary>
/// A raw-socket origin that parses requests the way a plain HTTP/1.1 server does (Content-Length or
/// chunked bodies, back to back on one connection) and hands each to a script that writes whatever
/// bytes it likes, whenever it likes: late bodies, stray responses, early answers. It records every
/// request it parsed, so a test can assert the origin saw exactly the requests the clients sent.
/// </summary>
internal sealed class ScriptedOrigin : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<OriginRequest> _requests = [];
    private readonly Func<OriginRequest, Stream, Task<bool>> _script;
    private readonly bool _readBodies;
    private int _connections;

    /// <param name="script">Writes the answer to one request on the stream; returns false to close the connection.</param>
    /// <param name="readBodies">False: a server that answers from the head alone and never reads a body, so body bytes are parsed as the next request.</param>
    public ScriptedOrigin(Func<OriginRequest, Stream, Task<bool>> script, bool readBodies = true)
    {
        _script = script;
        _readBodies = readBodies;
        _listener.Start();
        _ = AcceptLoopAsync();
    }

    public string Address => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";
    public int Connections => Volatile.Read(ref _connections);

    public IReadOnlyList<OriginRequest> Requests
    {
        get { lock (_requests) return _requests.ToArray(); }
    }

    /// <summary>
    /// An origin whose n-th request (counted from 0, given with its head) gets the pieces its script gives,
    /// with the pauses between them, and then the connection is closed: each response is framed only by what
    /// it says (truncations, stalls).
    /// </summary>
    public static ScriptedOrigin Pieces(Func<int, string, (string Bytes, TimeSpan PauseAfter)[]> script)
    {
        var count = 0;
        return new ScriptedOrigin(async (request, stream) =>
        {
            foreach (var (bytes, pause) in script(Interlocked.Increment(ref count) - 1, request.Head))
            {
                await stream.WriteAsync(Encoding.Latin1.GetBytes(bytes));
                await stream.FlushAsync();
                if (pause > TimeSpan.Zero) await Task.Delay(pause);
            }
            return false;
        });
    }

    /// <summary>A complete response with a Content-Length body.</summary>
    public static byte[] Ok(string body, string status = "200 OK", string extra = "") =>
        Encoding.Latin1.GetBytes($"HTTP/1.1 {status}\r\nContent-Length: {body.Length}\r\n{extra}\r\n{body}");

    /// <summary>Answers every request with its own target as the body: a client can tell whose answer it got.</summary>
    public static async Task<bool> EchoTarget(OriginRequest request, Stream stream)
    {
        await stream.WriteAsync(Ok(request.Target));
        return true;
    }

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                _ = ServeAsync(client, Interlocked.Increment(ref _connections));
            }
        }
        catch (Exception) { } // stopped
    }

    private async Task ServeAsync(TcpClient client, int connection)
    {
        using var _ = client;
        var stream = client.GetStream();
        var input = new Input(stream, _stop.Token);
        try
        {
            while (true)
            {
                var head = await input.ReadLineBlockAsync();
                if (head is null) return;
                var requestLine = head[..head.IndexOf("\r\n", StringComparison.Ordinal)].Split(' ');
                var body = "";
                if (_readBodies)
                {
                    var request = new OriginRequest(connection, requestLine[0], requestLine.ElementAtOrDefault(1) ?? "", head, "");
                    if (request.Header("Transfer-Encoding") is { } te && te.Contains("chunked", StringComparison.OrdinalIgnoreCase))
                        body = await input.ReadChunkedAsync();
                    else if (request.Header("Content-Length") is { } length)
                        body = await input.ReadExactlyAsync(int.Parse(length));
                    if (body is null) return;
                }
                var parsed = new OriginRequest(connection, requestLine[0], requestLine.ElementAtOrDefault(1) ?? "", head, body);
                lock (_requests) _requests.Add(parsed);
                if (!await _script(parsed, stream)) return;
            }
        }
        catch (Exception) { } // the peer left or the origin stopped
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
    }

    /// <summary>Buffered reads of lines, blocks and counted bytes from one connection.</summary>
    private sealed class Input(Stream stream, CancellationToken cancellationToken)
    {
        private readonly byte[] _buffer = new byte[256 * 1024];
        private int _start, _end;

        private async Task<bool> FillAsync()
        {
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            var n = await stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
            _end += n;
            return n > 0;
        }

        /// <summary>Up to and including the first empty line (a head, or a trailer section), or null at the end.</summary>
        public async Task<string?> ReadLineBlockAsync()
        {
            while (true)
            {
                var index = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8);
                if (index >= 0)
                {
                    var text = Encoding.Latin1.GetString(_buffer, _start, index + 4);
                    _start += index + 4;
                    return text;
                }
                if (!await FillAsync()) return null;
            }
        }

        private async Task<string?> ReadLineAsync()
        {
            while (true)
            {
                var index = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n"u8);
                if (index >= 0)
                {
                    var text = Encoding.Latin1.GetString(_buffer, _start, index);
                    _start += index + 2;
                    return text;
                }
                if (!await FillAsync()) return null;
            }
        }

        public async Task<string?> ReadExactlyAsync(int count)
        {
            while (_end - _start < count)
                if (!await FillAsync()) return null;
            var text = Encoding.Latin1.GetString(_buffer, _start, count);
            _start += count;
            return text;
        }

        public async Task<string?> ReadChunkedAsync()
        {
            var body = new StringBuilder();
            while (true)
            {
                var line = await ReadLineAsync();
                if (line is null) return null;
                var size = Convert.ToInt32(line.Split(';')[0].Trim(), 16);
                if (size == 0)
                {
                    while (await ReadLineAsync() is { Length: > 0 }) { } // trailers
                    return body.ToString();
                }
                body.Append(await ReadExactlyAsync(size));
                if (await ReadLineAsync() != "") return null;
            }
        }
    }
}
