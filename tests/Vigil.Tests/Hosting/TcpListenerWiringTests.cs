using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Vigil.Tests.Hosting;

/// <summary>A <c>protocol: tcp</c> listener in the daemon: forwards bytes, and a reload that changes its limits replaces it on the same address without waiting for old connections.</summary>
public sealed class TcpListenerWiringTests
{
    private static string WithTcp(DaemonFixture f, int port, int maxConnections) => DaemonFixture.DefaultConfig(f) + $$"""

          - { name: raw, protocol: tcp, listen: 127.0.0.1:{{port}}, pool: web, max_connections: {{maxConnections}} }
        """;

    [Fact]
    public async Task Tcp_listener_forwards_and_a_reload_replaces_it_without_waiting_for_open_connections()
    {
        var port = DaemonFixture.FreePort();
        await using var f = await DaemonFixture.StartAsync(config: fx => WithTcp(fx, port, 100));

        // An open connection through the old listener...
        using var held = new TcpClient();
        await held.ConnectAsync("127.0.0.1", port);
        Assert.StartsWith("HTTP/1.1 200", await GetAsync(held.GetStream()));

        // ...does not hold up a reload that must rebind the address with new limits.
        await f.WriteConfigAsync(WithTcp(f, port, 50));
        var clock = Stopwatch.StartNew();
        Assert.True((await f.Daemon.ReloadAsync()).Ok);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"reload took {clock.Elapsed}");

        using var fresh = new TcpClient();
        await fresh.ConnectAsync("127.0.0.1", port);
        Assert.StartsWith("HTTP/1.1 200", await GetAsync(fresh.GetStream()));
        // The old connection still works while it drains.
        Assert.StartsWith("HTTP/1.1 200", await GetAsync(held.GetStream()));
    }

    private static async Task<string> GetAsync(NetworkStream stream)
    {
        await stream.WriteAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
        var buffer = new byte[4096];
        var read = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        return Encoding.ASCII.GetString(buffer, 0, read);
    }
}
