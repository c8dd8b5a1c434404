using System.Net;
using System.Net.Sockets;
using Vigil.Balancing.Health;

namespace Vigil.Balancing.Tests.Health;

public class TcpProbeTests
{
    [Fact]
    public async Task Up_when_a_real_listener_accepts()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var accepted = listener.AcceptSocketAsync();
            var result = await new TcpProbe().ProbeAsync((IPEndPoint)listener.LocalEndpoint, CancellationToken.None);
            Assert.True(result.Healthy, result.Detail);
            Assert.Equal("connected", result.Detail);
            using var socket = await accepted.WaitAsync(TimeSpan.FromSeconds(5));
            Assert.NotNull(socket);
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public async Task Down_with_connection_refused_on_a_closed_port()
    {
        var result = await new TcpProbe().ProbeAsync(Loopback.ClosedPort(), CancellationToken.None);
        Assert.False(result.Healthy);
        Assert.Equal("connection refused", result.Detail);
    }
}
