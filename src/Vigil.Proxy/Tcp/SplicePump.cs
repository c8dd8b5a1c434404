using System.Net.Sockets;

namespace Vigil.Proxy.Tcp;

/// <summary>Placeholder until the splice path lands.</summary>
internal static class SplicePump
{
    public static bool IsSupported => false;

    public static Task RunAsync(Socket from, Socket to, TcpProxyConnection connection, TcpFlow flow, CancellationToken cancellationToken) =>
        throw new PlatformNotSupportedException();
}
