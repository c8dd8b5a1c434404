using System.Net;
using System.Net.Sockets;

namespace Vigil.Balancing.Health;

/// <summary>TCP health check: the backend is up when it accepts a connection.</summary>
public sealed class TcpProbe : IHealthProbe
{
    public async ValueTask<ProbeResult> ProbeAsync(IPEndPoint endpoint, CancellationToken cancellationToken)
    {
        using var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(endpoint, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            return new ProbeResult(false, ProbeFailure.Describe(e));
        }
        // Close with RST, as HAProxy does for its checks: a probe every few seconds per backend
        // would otherwise leave a TIME_WAIT socket on Vigil's side each time.
        socket.LingerState = new LingerOption(true, 0);
        return new ProbeResult(true, "connected");
    }
}
