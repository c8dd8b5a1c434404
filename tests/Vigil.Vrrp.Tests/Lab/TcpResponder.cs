using System.Net;
using System.Net.Sockets;
using System.Text;
using Vigil.Vrrp.Transport;

namespace Vigil.Vrrp.Tests.Lab;

/// <summary>
/// A tiny TCP service in a lab namespace, bound to the VIP whether or not the host holds it
/// (<c>net.ipv4.ip_nonlocal_bind=1</c>, as a load balancer node binds its listeners): each connection gets the
/// host's name and is closed, so the client can tell which node answered.
/// </summary>
internal sealed class TcpResponder : IDisposable
{
    public const int Port = 8080;

    private readonly Socket _listener;
    private readonly byte[] _reply;
    private readonly CancellationTokenSource _stop = new();

    public TcpResponder(NetnsLab lab, string host, IPAddress address)
    {
        var ns = lab.Ns(host);
        NetnsLab.Run("ip", ["netns", "exec", ns, "sysctl", "-qw", "net.ipv4.ip_nonlocal_bind=1"], check: true);
        _reply = Encoding.ASCII.GetBytes(host + "\n");
        _listener = NetworkNamespace.Run(ns, () =>
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            s.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            s.Bind(new IPEndPoint(address, Port));
            s.Listen(64);
            return s;
        });
        _ = AcceptAsync();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            using (connection)
            {
                try
                {
                    await connection.SendAsync(_reply, SocketFlags.None, _stop.Token);
                    connection.Shutdown(SocketShutdown.Both);
                }
                catch (Exception ex) when (ex is OperationCanceledException or SocketException)
                {
                }
            }
        }
    }

    /// <summary>One request from a lab host: connect, read the answering host's name; null on refusal or timeout.</summary>
    public static async Task<string?> RequestAsync(NetnsLab lab, string host, IPAddress address, TimeSpan timeout)
    {
        using var socket = NetworkNamespace.Run(lab.Ns(host), () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(address, Port), cts.Token);
            var buffer = new byte[64];
            var n = 0;
            // Bounded by the buffer and the timeout: read until the responder closes.
            while (n < buffer.Length)
            {
                var read = await socket.ReceiveAsync(buffer.AsMemory(n), SocketFlags.None, cts.Token);
                if (read == 0)
                {
                    break;
                }
                n += read;
            }
            return Encoding.ASCII.GetString(buffer, 0, n).Trim();
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        if (!_stop.IsCancellationRequested)
        {
            _stop.Cancel();
            _listener.Dispose();
        }
    }
}
