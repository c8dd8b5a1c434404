using System.Net;
using System.Net.Sockets;
using Vigil.Vrrp.Runtime;

namespace Vigil.Vrrp.Transport;

/// <summary>
/// VRRP over UDP for unprivileged use on loopback (the demo and integration tests): each router binds its own
/// address:port and sends its adverts to configured peers. The UDP payload is exactly the VRRP message;
/// the checksum pseudo-header uses the UDP source and destination addresses, as raw IP would.
/// </summary>
/// <remarks>
/// UDP gives no TTL on receive without recvmsg ancillary data, so the TTL 255 check does not apply here;
/// this transport is for loopback only, where nothing is forwarded.
/// </remarks>
public sealed class UdpVrrpTransport : IVrrpTransport
{
    private readonly Socket _socket;
    private readonly SocketAddress[] _peers;
    private readonly SocketAddress _from;
    private readonly AddressBytes _local;

    public UdpVrrpTransport(IPEndPoint local, IReadOnlyList<IPEndPoint> peers)
    {
        _socket = new Socket(local.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            _socket.Blocking = false;
            _socket.Ttl = 255;
            _socket.Bind(local);
        }
        catch
        {
            _socket.Dispose();
            throw;
        }
        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
        LocalAddress = local.Address;
        _local = AddressBytes.From(local.Address);
        Destinations = peers.Select(p => p.Address).ToArray();
        _peers = peers.Select(p => p.Serialize()).ToArray();
        _from = new SocketAddress(local.AddressFamily);
    }

    public IPAddress LocalAddress { get; }

    /// <summary>The bound endpoint (with the port the OS chose when 0 was asked).</summary>
    public IPEndPoint LocalEndPoint { get; }

    public IReadOnlyList<IPAddress> Destinations { get; }

    public void Send(ReadOnlySpan<byte> message, int destination)
    {
        try
        {
            _socket.SendTo(message, SocketFlags.None, _peers[destination]);
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionRefused or SocketError.WouldBlock)
        {
            // A stopped peer answers ICMP port unreachable; VRRP is fire-and-forget.
        }
    }

    public bool TryReceive(Span<byte> buffer, TimeSpan timeout, out ReceivedPacket packet)
    {
        packet = default;
        if (!_socket.Poll(timeout, SelectMode.SelectRead))
        {
            return false;
        }
        int n;
        try
        {
            n = _socket.ReceiveFrom(buffer, SocketFlags.None, _from);
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.WouldBlock or SocketError.ConnectionReset or SocketError.ConnectionRefused)
        {
            return false; // spurious wake-up, or ICMP unreachable from an earlier send to a stopped peer
        }
        packet = new ReceivedPacket
        {
            Length = n,
            IncludesIpHeader = false,
            Source = AddressBytes.From(SourceAddress(_from)),
            Destination = _local,
        };
        return true;
    }

    // sockaddr_in: family(2) port(2) address(4); sockaddr_in6: family(2) port(2) flowinfo(4) address(16) scope(4).
    private static ReadOnlySpan<byte> SourceAddress(SocketAddress address) =>
        address.Family == AddressFamily.InterNetwork
            ? address.Buffer.Span.Slice(4, 4)
            : address.Buffer.Span.Slice(8, 16);

    public void Dispose() => _socket.Dispose();
}
