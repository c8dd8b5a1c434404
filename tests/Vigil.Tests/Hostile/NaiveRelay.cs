using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Vigil.Tests.Hostile;

/// <summary>
/// A deliberately unsafe HTTP relay, so the suite can show it fails one: it frames requests by the
/// first Content-Length alone (Transfer-Encoding ignored), drops whatever <c>Connection</c> nominates
/// (Content-Length included, as Vigil once did), and pushes every client through one shared upstream
/// connection whose leftover bytes it never questions. Never use it for anything but that proof.
/// </summary>
public sealed class NaiveRelay : IFrontDoor
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _upstreamLock = new(1, 1);
    private readonly IPEndPoint _origin;
    private readonly Task _accepting;
    private readonly List<Task> _clients = [];
    private Buffered? _upstream;

    private NaiveRelay(IPEndPoint origin)
    {
        _origin = origin;
        _listener.Start();
        _accepting = AcceptLoopAsync();
    }

    public string Name => "naive-relay";
    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndpoint;
    public bool SetsForwardedFor => false;
    public bool SetsForwardedHost => false;

    public static Task<IFrontDoor> StartAsync(HostileOrigin origin) => Task.FromResult<IFrontDoor>(new NaiveRelay(origin.EndPoint));

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptSocketAsync(_stop.Token);
                lock (_clients) _clients.Add(RelayAsync(new Buffered(socket)));
            }
        }
        catch (Exception) { } // stopped
    }

    private async Task RelayAsync(Buffered client)
    {
        using var _ = client;
        try
        {
            while (await client.ReadHeadAsync(_stop.Token) is { } head)
            {
                var lines = head.Split("\r\n").ToList();
                var nominated = lines.Where(l => l.StartsWith("Connection:", StringComparison.OrdinalIgnoreCase))
                    .SelectMany(l => l["Connection:".Length..].Split(',')).Select(t => t.Trim()).ToHashSet(StringComparer.OrdinalIgnoreCase);
                var length = lines.Where(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                    .Select(l => int.TryParse(l["Content-Length:".Length..], out var n) ? n : 0).FirstOrDefault();
                var kept = lines.Where(l => !l.StartsWith("Connection:", StringComparison.OrdinalIgnoreCase)
                    && !nominated.Contains(l.Split(':')[0].Trim()));
                var body = await client.ReadExactlyAsync(length, _stop.Token);
                var isHead = head.StartsWith("HEAD ", StringComparison.Ordinal);
                await _upstreamLock.WaitAsync(_stop.Token);
                try
                {
                    if (_upstream is null)
                    {
                        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                        await socket.ConnectAsync(_origin, _stop.Token);
                        _upstream = new Buffered(socket);
                    }
                    await _upstream.WriteAsync(Encoding.Latin1.GetBytes(string.Join("\r\n", kept) + "\r\n\r\n"), _stop.Token);
                    await _upstream.WriteAsync(body, _stop.Token);
                    var responseHead = await _upstream.ReadHeadAsync(_stop.Token) ?? throw new IOException("upstream closed");
                    var responseLength = isHead ? 0 : responseHead.Split("\r\n")
                        .Where(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                        .Select(l => int.TryParse(l["Content-Length:".Length..], out var n) ? n : 0).FirstOrDefault();
                    var responseBody = await _upstream.ReadExactlyAsync(responseLength, _stop.Token);
                    await client.WriteAsync(Encoding.Latin1.GetBytes(responseHead + "\r\n\r\n"), _stop.Token);
                    await client.WriteAsync(responseBody, _stop.Token);
                }
                catch (IOException)
                {
                    _upstream?.Dispose();
                    _upstream = null;
                    return;
                }
                finally
                {
                    _upstreamLock.Release();
                }
            }
        }
        catch (Exception) { } // the client left or the relay stops
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _accepting;
        Task[] clients;
        lock (_clients) clients = _clients.ToArray();
        await Task.WhenAll(clients);
        _upstream?.Dispose();
    }

    /// <summary>A socket with a read buffer: heads up to the blank line, bodies by count.</summary>
    private sealed class Buffered(Socket socket) : IDisposable
    {
        private readonly NetworkStream _stream = new(socket, ownsSocket: true);
        private readonly byte[] _buffer = new byte[256 * 1024];
        private int _filled;

        public async Task<string?> ReadHeadAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                var end = _buffer.AsSpan(0, _filled).IndexOf("\r\n\r\n"u8);
                if (end >= 0)
                {
                    var head = Encoding.Latin1.GetString(_buffer, 0, end);
                    Consume(end + 4);
                    return head;
                }
                if (!await FillAsync(cancellationToken)) return null;
            }
        }

        public async Task<byte[]> ReadExactlyAsync(int count, CancellationToken cancellationToken)
        {
            while (_filled < count)
                if (!await FillAsync(cancellationToken)) throw new IOException("closed mid-body");
            var bytes = _buffer.AsSpan(0, count).ToArray();
            Consume(count);
            return bytes;
        }

        public ValueTask WriteAsync(byte[] bytes, CancellationToken cancellationToken) => _stream.WriteAsync(bytes, cancellationToken);

        private async Task<bool> FillAsync(CancellationToken cancellationToken)
        {
            if (_filled == _buffer.Length) throw new IOException("head too large");
            var n = await _stream.ReadAsync(_buffer.AsMemory(_filled), cancellationToken);
            _filled += n;
            return n > 0;
        }

        private void Consume(int count)
        {
            Buffer.BlockCopy(_buffer, count, _buffer, 0, _filled - count);
            _filled -= count;
        }

        public void Dispose() => _stream.Dispose();
    }
}
