using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Vigil.Proxy.Tcp;

namespace Vigil.Proxy.Tests.Tcp;

/// <summary>
/// A real TCP echo backend on a loopback port: echoes every byte until the peer's FIN, then sends
/// its own FIN. When <see cref="ExpectProxy"/> is set it first reads a PROXY header and records it.
/// </summary>
internal sealed class EchoServer : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _accepted;

    public EchoServer(string name = "echo", bool expectProxy = false, IPAddress? address = null)
    {
        Name = name;
        ExpectProxy = expectProxy;
        address ??= IPAddress.Loopback;
        _socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        _socket.Bind(new IPEndPoint(address, 0));
        _socket.Listen(128);
        EndPoint = (IPEndPoint)_socket.LocalEndPoint!;
        _loop = AcceptLoopAsync();
    }

    public string Name { get; }
    public bool ExpectProxy { get; }
    public IPEndPoint EndPoint { get; }
    public int Accepted => Volatile.Read(ref _accepted);
    /// <summary>PROXY headers received, in arrival order.</summary>
    public ConcurrentQueue<ProxyHeader> Headers { get; } = new();

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (true)
            {
                var client = await _socket.AcceptAsync(_stop.Token);
                Interlocked.Increment(ref _accepted);
                _ = EchoAsync(client);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task EchoAsync(Socket client)
    {
        using var _ = client;
        var buffer = new byte[64 * 1024];
        try
        {
            var start = 0;
            var filled = 0;
            if (ExpectProxy)
            {
                while (true)
                {
                    var n = await client.ReceiveAsync(buffer.AsMemory(filled), _stop.Token);
                    if (n == 0) return;
                    filled += n;
                    var status = ProxyProtocolReader.TryParse(buffer.AsSpan(0, filled), out var header, out var consumed);
                    if (status == ProxyParseStatus.Invalid) return;
                    if (status == ProxyParseStatus.Done)
                    {
                        Headers.Enqueue(header);
                        start = consumed;
                        break;
                    }
                }
            }
            if (filled > start) await client.SendAsync(buffer.AsMemory(start, filled - start), _stop.Token);
            while (true)
            {
                var n = await client.ReceiveAsync(buffer, _stop.Token);
                if (n == 0) break;
                await client.SendAsync(buffer.AsMemory(0, n), _stop.Token);
            }
            client.Shutdown(SocketShutdown.Send);
            // Wait for the proxy to close its side too, so nothing is cut short.
            await client.ReceiveAsync(buffer, _stop.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _socket.Dispose();
        await _loop;
    }
}
