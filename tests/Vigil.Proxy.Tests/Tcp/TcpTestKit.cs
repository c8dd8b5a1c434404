using System.Net;
using System.Net.Sockets;
using System.Text;
using Vigil.Balancing;
using Vigil.Proxy.Tcp;

namespace Vigil.Proxy.Tests.Tcp;

/// <summary>Small pieces shared by the L4 tests: pools over real endpoints, listeners on free ports, socket I/O with deadlines.</summary>
internal static class TcpTestKit
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    public static Pool NewPool(IEnumerable<IPEndPoint> backends, SchedulerKind scheduler = SchedulerKind.RoundRobin, int sendProxy = 0) =>
        new(new PoolOptions
        {
            Name = "pool-" + Guid.NewGuid().ToString("N")[..8],
            Backends = backends.Select(e => new BackendOptions(e.ToString(), e)).ToList(),
            Scheduler = scheduler,
            SendProxy = sendProxy,
            ConnectTimeout = TimeSpan.FromSeconds(2),
        }, TimeProvider.System);

    public static TcpProxyListener StartListener(Pool pool, Func<TcpListenerOptions, TcpListenerOptions>? configure = null, TimeProvider? time = null)
    {
        var options = new TcpListenerOptions
        {
            Name = "l4-" + Guid.NewGuid().ToString("N")[..8],
            EndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            Pool = pool.Name,
        };
        var listener = new TcpProxyListener(configure?.Invoke(options) ?? options, () => pool, time);
        listener.Start();
        return listener;
    }

    /// <summary>A loopback port nothing listens on (bound then closed), so connects to it are refused.</summary>
    public static IPEndPoint ClosedPort()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return (IPEndPoint)s.LocalEndPoint!;
    }

    public static async Task<Socket> ConnectAsync(IPEndPoint target, IPAddress? source = null)
    {
        var s = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (source is not null) s.Bind(new IPEndPoint(source, 0));
        using var cts = new CancellationTokenSource(Deadline);
        await s.ConnectAsync(target, cts.Token);
        return s;
    }

    public static async Task SendAsync(Socket s, string text) => await s.SendAsync(Encoding.ASCII.GetBytes(text));

    /// <summary>Reads exactly <paramref name="count"/> bytes, or fewer if the peer closes; bounded by <see cref="Deadline"/>.</summary>
    public static async Task<byte[]> ReceiveExactlyAsync(Socket s, int count, TimeSpan? deadline = null)
    {
        var buffer = new byte[count];
        var filled = 0;
        using var cts = new CancellationTokenSource(deadline ?? Deadline);
        while (filled < count)
        {
            var n = await s.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, cts.Token);
            if (n == 0) break;
            filled += n;
        }
        return buffer[..filled];
    }

    public static async Task<string> EchoAsync(Socket s, string text)
    {
        await SendAsync(s, text);
        return Encoding.ASCII.GetString(await ReceiveExactlyAsync(s, text.Length));
    }

    /// <summary>True when the peer closed (EOF or reset) within the deadline; false if the socket is still open.</summary>
    public static async Task<bool> ClosedWithinAsync(Socket s, TimeSpan deadline)
    {
        var buffer = new byte[256];
        using var cts = new CancellationTokenSource(deadline);
        try
        {
            while (true)
            {
                var n = await s.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
                if (n == 0) return true;
            }
        }
        catch (SocketException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Polls a condition (bounded: 200 × 25 ms) for counters updated after a socket closes.</summary>
    public static async Task<bool> EventuallyAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200; i++)
        {
            if (condition()) return true;
            await Task.Delay(25);
        }
        return condition();
    }
}
