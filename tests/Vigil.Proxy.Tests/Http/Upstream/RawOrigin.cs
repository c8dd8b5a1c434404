using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Vigil.Proxy.Tests.Http.Upstream;

/// <summary>
/// A hand-driven origin on a raw loopback socket: for each request head it receives it calls
/// <see cref="Respond"/> and writes back exactly the bytes given (garbage included), so tests can
/// show the forwarder what no well-behaved server sends. Keeps each connection open unless told to close.
/// </summary>
internal sealed class RawOrigin : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<string> _heads = [];
    private int _connections;

    /// <param name="respond">Request head (text, through the blank line) and its body → the bytes to send and whether to close afterwards.</param>
    public RawOrigin(Func<string, string, (byte[] Response, bool Close)> respond)
    {
        Respond = respond;
        _listener.Start();
        _ = AcceptLoopAsync();
    }

    public Func<string, string, (byte[] Response, bool Close)> Respond { get; }
    public string Address => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";
    public int Connections => Volatile.Read(ref _connections);

    public IReadOnlyList<string> Heads
    {
        get { lock (_heads) return _heads.ToArray(); }
    }

    public static (byte[], bool) Text(string response, bool close = false) => (Encoding.Latin1.GetBytes(response), close);

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                Interlocked.Increment(ref _connections);
                _ = ServeAsync(client);
            }
        }
        catch (Exception) { } // stopped
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        var stream = client.GetStream();
        var buffer = new byte[64 * 1024];
        var filled = 0;
        try
        {
            while (true)
            {
                int end;
                while ((end = IndexOfHeadEnd(buffer, filled)) < 0)
                {
                    var n = await stream.ReadAsync(buffer.AsMemory(filled), _stop.Token);
                    if (n == 0) return;
                    filled += n;
                }
                var head = Encoding.Latin1.GetString(buffer, 0, end);
                var consumed = end;
                var body = "";
                var length = ContentLength(head);
                while (filled - consumed < length)
                {
                    var n = await stream.ReadAsync(buffer.AsMemory(filled), _stop.Token);
                    if (n == 0) return;
                    filled += n;
                }
                if (length > 0)
                {
                    body = Encoding.Latin1.GetString(buffer, consumed, length);
                    consumed += length;
                }
                lock (_heads) _heads.Add(head);
                Buffer.BlockCopy(buffer, consumed, buffer, 0, filled - consumed);
                filled -= consumed;
                var (response, close) = Respond(head, body);
                await stream.WriteAsync(response, _stop.Token);
                if (close) return;
            }
        }
        catch (Exception) { } // the peer left or the origin stopped
    }

    private static int IndexOfHeadEnd(byte[] buffer, int filled)
    {
        var index = buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8);
        return index < 0 ? -1 : index + 4;
    }

    private static int ContentLength(string head)
    {
        foreach (var line in head.Split("\r\n"))
            if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                return int.Parse(line["Content-Length:".Length..].Trim());
        return 0;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
    }
}
