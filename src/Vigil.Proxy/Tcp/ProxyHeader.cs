using System.Net;

namespace Vigil.Proxy.Tcp;

/// <summary>
/// The addresses a PROXY protocol header carries: the real client (source) and the address it
/// connected to (destination). Both null for v1 <c>UNKNOWN</c>, a v2 <c>LOCAL</c> command or an
/// address family Vigil does not relay (AF_UNIX, AF_UNSPEC).
/// </summary>
public readonly record struct ProxyHeader(IPEndPoint? Source, IPEndPoint? Destination)
{
    /// <summary>True when the header names a client (v1 TCP4/TCP6, v2 PROXY over AF_INET/AF_INET6).</summary>
    public bool HasAddresses => Source is not null && Destination is not null;
}

/// <summary>The PROXY protocol version a pool sends to its backends.</summary>
public enum ProxyProtocolVersion
{
    None = 0,
    V1 = 1,
    V2 = 2,
}
