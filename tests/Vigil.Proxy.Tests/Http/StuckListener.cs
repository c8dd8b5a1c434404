using System.Net;
using System.Net.Sockets;

namespace Vigil.Proxy.Tests.Http;

/// <summary>
/// A loopback port where TCP connects hang: it listens with a backlog of one, never accepts, and
/// fills its accept queue itself, so Linux drops further SYNs and a client waits for its connect timeout.
/// </summary>
internal sealed class StuckListener : IDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly List<Socket> _fillers = [];

    public StuckListener()
    {
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(1);
        EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        for (var i = 0; i < 4; i++)
        {
            var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { Blocking = false };
            try { filler.Connect(EndPoint); } catch (SocketException) { } // in progress, or queued
            _fillers.Add(filler);
        }
    }

    public IPEndPoint EndPoint { get; }
    public string Address => $"127.0.0.1:{EndPoint.Port}";

    public void Dispose()
    {
        foreach (var f in _fillers) f.Dispose();
        _listener.Dispose();
    }
}
