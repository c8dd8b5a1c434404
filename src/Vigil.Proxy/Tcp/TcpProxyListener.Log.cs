using System.Net;
using Microsoft.Extensions.Logging;

namespace Vigil.Proxy.Tcp;

public sealed partial class TcpProxyListener
{
    // Debug: a scanner would otherwise write a line per connection; the counter shows the rate.
    [LoggerMessage(EventId = 4001, Level = LogLevel.Debug, Message = "tcp listener {Listener}: closed a connection from {Peer}, which is not in trusted_proxies")]
    private static partial void LogUntrustedPeer(ILogger logger, string listener, EndPoint? peer);
}
