namespace Vigil.Proxy.Tcp;

/// <summary>One direction of a proxied connection.</summary>
internal enum TcpFlow
{
    /// <summary>Client to backend.</summary>
    In,
    /// <summary>Backend to client.</summary>
    Out,
}
