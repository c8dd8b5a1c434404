using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Vigil.Tests.Hostile;

/// <summary>One response as a <see cref="RawClient"/> read it.</summary>
public sealed class RawResponse
{
    public required int Status { get; init; }
    public required string Head { get; init; }
    public required IReadOnlyList<KeyValuePair<string, string>> Fields { get; init; }
    public byte[] Body { get; set; } = [];
    /// <summary>False when the connection ended or the read timed out before the body's end.</summary>
    public bool Complete { get; set; }
    /// <summary>1xx responses read (and skipped) before this one.</summary>
    public int Interim { get; init; }

    public IEnumerable<string> Values(string name) =>
        Fields.Where(f => f.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(f => f.Value);

    public string? Value(string name) => Values(name).FirstOrDefault();
    public string? Marker => Values("X-Req").Any() ? string.Join(",", Values("X-Req")) : null;
    public string BodyText => Encoding.Latin1.GetString(Body);

    public override string ToString() =>
        $"{Status} marker={Marker ?? "-"}{(Complete ? "" : " (incomplete)")}{(Interim > 0 ? $" after {Interim} 1xx" : "")}"
        + $" cache-status={Value("Cache-Status") ?? "-"} set-cookie={string.Join("|", Values("Set-Cookie"))} body={BodyText.Replace("\r", "\\r").Replace("\n", "\\n")}";
}

/// <summary>
/// A client on a raw socket: sends exactly the bytes it is given (no normalisation of any kind) and
/// reads responses by their framing (RFC 9112 §6.3), skipping 1xx, and never waiting past a timeout.
/// </summary>
public sealed class RawClient : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;
    private bool _eof;

    private RawClient(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
    }

    public static async Task<RawClient> ConnectAsync(IPEndPoint endPoint)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(endPoint);
        return new RawClient(socket);
    }

    public async Task SendAsync(string latin1)
    {
        try
        {
            await _stream.WriteAsync(Encoding.Latin1.GetBytes(latin1));
        }
        catch (IOException) { } // the proxy may refuse and close before reading everything
    }

    /// <summary>The next final response, or null when the connection closed or the timeout passed before a whole head.</summary>
    public async Task<RawResponse?> ReadResponseAsync(bool head = false, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(3));
        var interim = 0;
        while (true)
        {
            var headText = await ReadHeadAsync(cts.Token);
            if (headText is null) return null;
            var lines = headText.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
            var parts = lines[0].Split(' ', 3);
            if (parts.Length < 2 || !parts[0].StartsWith("HTTP/", StringComparison.Ordinal) || !int.TryParse(parts[1], out var status))
                return new RawResponse { Status = 0, Head = headText, Fields = [], Complete = false, Interim = interim };
            var fields = lines.Skip(1).Where(l => l.Contains(':'))
                .Select(l => new KeyValuePair<string, string>(l[..l.IndexOf(':')].Trim(), l[(l.IndexOf(':') + 1)..].Trim())).ToList();
            if (status is >= 100 and < 200 && status != 101)
            {
                interim++;
                continue;
            }
            var response = new RawResponse { Status = status, Head = headText, Fields = fields, Interim = interim };
            await ReadBodyAsync(response, head, cts.Token);
            return response;
        }
    }

    private async Task ReadBodyAsync(RawResponse response, bool head, CancellationToken cancellationToken)
    {
        var body = new MemoryStream();
        try
        {
            if (head || response.Status is 204 or 304)
            {
                response.Complete = true;
                return;
            }
            if (response.Values("Transfer-Encoding").Any(v => v.Contains("chunked", StringComparison.OrdinalIgnoreCase)))
            {
                while (true)
                {
                    var line = await ReadLineAsync(cancellationToken);
                    if (line is null) return;
                    var hex = line.Split(';')[0].Trim();
                    if (!int.TryParse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var size) || size < 0) return;
                    if (size == 0)
                    {
                        while (await ReadLineAsync(cancellationToken) is { Length: > 0 }) { } // trailers
                        response.Complete = true;
                        return;
                    }
                    if (!await ReadIntoAsync(body, size, cancellationToken)) return;
                    if (await ReadLineAsync(cancellationToken) is not "") return;
                }
            }
            if (response.Value("Content-Length") is { } text && long.TryParse(text, out var length))
            {
                response.Complete = await ReadIntoAsync(body, (int)length, cancellationToken);
                return;
            }
            // No framing: the body runs to the close (RFC 9112 §6.3 item 8).
            while (await FillAsync(cancellationToken)) { }
            body.Write(_buffer, _start, _end - _start);
            _start = _end;
            response.Complete = _eof;
        }
        finally
        {
            response.Body = body.ToArray();
        }
    }

    private async Task<string?> ReadHeadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var span = _buffer.AsSpan(_start, _end - _start);
            var end = span.IndexOf("\r\n\r\n"u8);
            var endLength = 4;
            var bare = span.IndexOf("\n\n"u8);
            if (bare >= 0 && (end < 0 || bare < end)) (end, endLength) = (bare, 2);
            if (end >= 0)
            {
                var text = Encoding.Latin1.GetString(span[..end]);
                _start += end + endLength;
                return text;
            }
            if (!await FillAsync(cancellationToken)) return null;
        }
    }

    private async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var lf = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (lf >= 0)
            {
                var line = Encoding.Latin1.GetString(_buffer, _start, lf - _start).TrimEnd('\r');
                _start = lf + 1;
                return line;
            }
            if (!await FillAsync(cancellationToken)) return null;
        }
    }

    private async Task<bool> ReadIntoAsync(MemoryStream body, int count, CancellationToken cancellationToken)
    {
        while (count > 0)
        {
            if (_end == _start && !await FillAsync(cancellationToken)) return false;
            var n = Math.Min(count, _end - _start);
            body.Write(_buffer, _start, n);
            _start += n;
            count -= n;
        }
        return true;
    }

    /// <summary>Reads more; false at the end of the stream, on a reset, or when the timeout passed.</summary>
    private async Task<bool> FillAsync(CancellationToken cancellationToken)
    {
        if (_eof) return false;
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
        try
        {
            var n = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
            if (n == 0) _eof = true;
            _end += n;
            return n > 0;
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException)
        {
            _eof = true;
            return false;
        }
    }

    public ValueTask DisposeAsync()
    {
        _stream.Dispose();
        return ValueTask.CompletedTask;
    }
}
