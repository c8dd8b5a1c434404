using System.Net;
using System.Net.Sockets;

namespace Vigil.Tests.Hostile;

/// <summary>
/// Addresses for the proxies under test: a random 127.x.y.z (all of 127/8 is loopback on Linux) and a
/// port free on it, so a port another test grabbed in the gap between choosing and binding can never be
/// mistaken for ours: a probe that connects reached our proxy, not a neighbour on 127.0.0.1.
/// </summary>
internal static class Loopback
{
    public static IPEndPoint Reserve()
    {
        var address = new IPAddress([127, (byte)Random.Shared.Next(100, 200), (byte)Random.Shared.Next(0, 256), (byte)Random.Shared.Next(1, 255)]);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(address, 0));
        return (IPEndPoint)socket.LocalEndPoint!;
    }
}
