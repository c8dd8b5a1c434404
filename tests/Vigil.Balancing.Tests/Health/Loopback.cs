using System.Net;
using System.Net.Sockets;

namespace Vigil.Balancing.Tests.Health;

/// <summary>Loopback helpers for the real-socket tests.</summary>
internal static class Loopback
{
    /// <summary>A loopback port nothing listens on: bound once by the OS, then released.</summary>
    public static IPEndPoint ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var endpoint = (IPEndPoint)listener.LocalEndpoint;
        listener.Stop();
        return endpoint;
    }

    /// <summary>Waits for <paramref name="condition"/>, polling, at most <paramref name="limit"/>.</summary>
    public static async Task<bool> WaitForAsync(Func<bool> condition, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) return false;
            await Task.Delay(20);
        }
        return true;
    }
}
