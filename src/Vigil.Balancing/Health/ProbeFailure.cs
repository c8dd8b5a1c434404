using System.Net.Http;
using System.Net.Sockets;

namespace Vigil.Balancing.Health;

/// <summary>Turns a probe's exception into the few words an operator reads in logs and /api/status.</summary>
internal static class ProbeFailure
{
    public static string Describe(Exception e) => e switch
    {
        SocketException s => Describe(s.SocketErrorCode),
        HttpRequestException { InnerException: SocketException s } => Describe(s.SocketErrorCode),
        HttpRequestException { InnerException: TimeoutException } => "connect timeout",
        HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded } => "connection closed before a response",
        HttpRequestException { HttpRequestError: HttpRequestError.InvalidResponse } => "invalid HTTP response",
        IOException { InnerException: SocketException s } => Describe(s.SocketErrorCode),
        HttpRequestException { InnerException: IOException { InnerException: SocketException s } } => Describe(s.SocketErrorCode),
        TimeoutException => "timeout",
        _ => e.Message,
    };

    public static string Describe(SocketError error) => error switch
    {
        SocketError.ConnectionRefused => "connection refused",
        SocketError.ConnectionReset => "connection reset",
        SocketError.TimedOut => "connect timeout",
        SocketError.HostUnreachable => "host unreachable",
        SocketError.NetworkUnreachable => "network unreachable",
        SocketError.AddressNotAvailable => "address not available",
        _ => $"socket error {error}",
    };
}
