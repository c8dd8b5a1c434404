using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text;
using Vigil.Vrrp.Packets;
using Vigil.Vrrp.Runtime;

namespace Vigil.Vrrp.Transport;

/// <summary>
/// VRRP on IP protocol 112 through a raw socket (needs CAP_NET_RAW): multicast to 224.0.0.18 / ff02::12 joined on
/// the interface, or unicast peers. IPv4 writes its own header (IP_HDRINCL) so TOS 0xc0, TTL 255 and the ID
/// sequence are exactly keepalived's, and receives whole datagrams so the TTL is checked. IPv6 cannot see the
/// header, so the hop limit comes as ancillary data (IPV6_RECVHOPLIMIT) and is checked the same way.
/// </summary>
public sealed class RawVrrpTransport : IVrrpTransport
{
    public static readonly IPAddress Ipv4Group = IPAddress.Parse("224.0.0.18");
    public static readonly IPAddress Ipv6Group = IPAddress.Parse("ff02::12");

    private const int SolSocket = 1;
    private const int SoBindToDevice = 25;
    private const int IpprotoIpv6 = 41;
    private const int Ipv6TClass = 67;
    private const int Ipv6Freebind = 78;
    private const byte Tos = 0xC0; // RFC 9568 does not require it; keepalived sends Internetwork Control, and so do we

    private readonly Socket _socket;
    private readonly SocketAddress[] _destinations;
    private readonly AddressBytes[] _destinationBytes;
    private readonly AddressBytes _local;
    private readonly byte[] _sendBuffer = new byte[2048];
    private readonly bool _ipv6;
    private readonly string? _vmacInterface;
    private readonly string? _netns;
    private Socket? _vmacSocket;
    private long _vmacRetryAt;
    private ushort _ipId;

    public RawVrrpTransport(RawTransportOptions options)
    {
        (_socket, LocalAddress) = NetworkNamespace.Run(options.NetworkNamespace, () => Open(options));
        _ipv6 = LocalAddress.AddressFamily == AddressFamily.InterNetworkV6;
        _local = AddressBytes.From(LocalAddress);
        Destinations = options.UnicastPeers.Count > 0 ? options.UnicastPeers : [_ipv6 ? Ipv6Group : Ipv4Group];
        // Serialised once: the per-advert send path allocates nothing.
        _destinations = Destinations.Select(d => new IPEndPoint(d, 0).Serialize()).ToArray();
        _destinationBytes = Destinations.Select(AddressBytes.From).ToArray();
        _ipId = (ushort)Random.Shared.Next(1, 65536);
        _netns = options.NetworkNamespace;
        _vmacInterface = options.VmacInterface;
    }

    // Runs inside the namespace: the socket, the interface index and address lookups all belong to it.
    private static (Socket Socket, IPAddress Local) Open(RawTransportOptions options)
    {
        var ifindex = NetworkNamespace.InterfaceIndex(options.Interface);
        var local = options.SourceAddress ?? FindSourceAddress(options.Interface, options.Ipv6);
        var ipv6 = local.AddressFamily == AddressFamily.InterNetworkV6;
        var socket = NetworkNamespace.OpenRawSocket(local.AddressFamily, VrrpCodec.Protocol);
        try
        {
            socket.SetRawSocketOption(SolSocket, SoBindToDevice, Encoding.ASCII.GetBytes(options.Interface + "\0"));
            if (ipv6)
            {
                socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.MulticastInterface, ifindex);
                socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.MulticastTimeToLive, 255);
                socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.IpTimeToLive, 255);
                socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.MulticastLoopback, false);
                Ipv6Receive.Enable(socket);
                // An option .NET has no name for goes through as a raw integer.
                socket.SetRawSocketOption(IpprotoIpv6, Ipv6TClass, BitConverter.GetBytes((int)Tos));
                if (options.UnicastPeers.Count == 0)
                {
                    socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.AddMembership, new IPv6MulticastOption(Ipv6Group, ifindex));
                }
            }
            else
            {
                socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.HeaderIncluded, true);
                socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface, local.GetAddressBytes());
                socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastLoopback, false);
                if (options.UnicastPeers.Count == 0)
                {
                    socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.AddMembership, new MulticastOption(Ipv4Group, ifindex));
                }
            }
            return (socket, local);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public IPAddress LocalAddress { get; }

    public IReadOnlyList<IPAddress> Destinations { get; }

    public void Send(ReadOnlySpan<byte> message, int destination)
    {
        // IPv6 sockets write the header themselves (hop limit 255 set at open); IPv4 gets ours.
        var datagram = _ipv6 ? message : WithIpv4Header(message, destination);
        if (VmacSocket() is { } vmac)
        {
            try
            {
                // From the virtual MAC, so switches keep learning where it lives (RFC 9568 §7.3)...
                vmac.SendTo(datagram, SocketFlags.None, _destinations[destination]);
            }
            catch (SocketException)
            {
                // The macvlan is down (Backup, or just stepping down): the parent carries the advert.
            }
        }
        // ...and always from the parent too: Linux drops multicast whose source MAC is one of its own
        // macvlans, so two masters that both have the virtual MAC up would never hear each other's
        // vmac adverts and a split brain could not heal (the reason keepalived grew vmac_xmit_base).
        // The parent's copy carries the real MAC, which every router hears; receivers see each advert
        // twice, which the election tolerates (it only resets a timer).
        _socket.SendTo(datagram, SocketFlags.None, _destinations[destination]);
    }

    // RFC 9568 §5.1.1: TTL 255, protocol 112; a fresh IP ID per packet, as keepalived.
    private ReadOnlySpan<byte> WithIpv4Header(ReadOnlySpan<byte> message, int destination)
    {
        var total = Ipv4Header.MinLength + message.Length;
        Ipv4Header.Write(_sendBuffer, Tos, (ushort)total, _ipId++, VrrpDatagram.RequiredTtl, VrrpCodec.Protocol,
            _local.Span, _destinationBytes[destination].Span);
        message.CopyTo(_sendBuffer.AsSpan(Ipv4Header.MinLength));
        return _sendBuffer.AsSpan(0, total);
    }

    /// <summary>The send socket on the vmac interface, opened on first use (retried once a second until it exists).</summary>
    private Socket? VmacSocket()
    {
        if (_vmacSocket is not null || _vmacInterface is null || Environment.TickCount64 < _vmacRetryAt)
        {
            return _vmacSocket;
        }
        try
        {
            _vmacSocket = NetworkNamespace.Run(_netns, () => _ipv6 ? OpenVmacIpv6(_vmacInterface, LocalAddress) : OpenVmacIpv4(_vmacInterface));
        }
        catch (Exception ex) when (ex is InvalidOperationException or SocketException)
        {
            _vmacRetryAt = Environment.TickCount64 + 1000;
        }
        return _vmacSocket;
    }

    private static Socket OpenVmacIpv4(string vmacInterface)
    {
        var socket = NetworkNamespace.OpenRawSocket(AddressFamily.InterNetwork, VrrpCodec.Protocol);
        try
        {
            socket.SetRawSocketOption(SolSocket, SoBindToDevice, Encoding.ASCII.GetBytes(vmacInterface + "\0"));
            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.HeaderIncluded, true);
            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastLoopback, false);
            socket.ReceiveBufferSize = 1; // send-only: whatever it would receive is dropped at the kernel's minimum buffer
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    // IPv6 has no header-included mode, and the advert's source must stay the parent's link-local address (RFC 9568
    // §5.1.2.1: the primary address; a macvlan's own link-local would be a second router to every peer). IPV6_FREEBIND
    // lets the socket bind to an address that lives on another interface; the checksum was computed over it.
    private static Socket OpenVmacIpv6(string vmacInterface, IPAddress parentLinkLocal)
    {
        var ifindex = NetworkNamespace.InterfaceIndex(vmacInterface);
        var socket = NetworkNamespace.OpenRawSocket(AddressFamily.InterNetworkV6, VrrpCodec.Protocol);
        try
        {
            socket.SetRawSocketOption(SolSocket, SoBindToDevice, Encoding.ASCII.GetBytes(vmacInterface + "\0"));
            socket.SetRawSocketOption(IpprotoIpv6, Ipv6Freebind, BitConverter.GetBytes(1));
            socket.Bind(new IPEndPoint(new IPAddress(parentLinkLocal.GetAddressBytes(), ifindex), 0));
            socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.MulticastInterface, ifindex);
            socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.MulticastTimeToLive, 255);
            socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.IpTimeToLive, 255);
            socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.MulticastLoopback, false);
            socket.SetRawSocketOption(IpprotoIpv6, Ipv6TClass, BitConverter.GetBytes((int)Tos));
            socket.ReceiveBufferSize = 1;
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public bool TryReceive(Span<byte> buffer, TimeSpan timeout, out ReceivedPacket packet)
    {
        packet = default;
        if (!_socket.Poll(timeout, SelectMode.SelectRead))
        {
            return false;
        }
        if (!_ipv6)
        {
            // A raw IPv4 socket delivers the IP header too: VrrpDatagram checks TTL, protocol, header checksum.
            var n = _socket.Receive(buffer);
            packet = new ReceivedPacket { Length = n, IncludesIpHeader = true };
            return true;
        }
        Span<byte> source = stackalloc byte[16];
        Span<byte> destination = stackalloc byte[16];
        var length = Ipv6Receive.Receive(_socket, buffer, source, destination, out var hopLimit);
        if (length < 0)
        {
            return false;
        }
        packet = new ReceivedPacket
        {
            Length = length,
            IncludesIpHeader = false,
            Source = AddressBytes.From(source),
            Destination = AddressBytes.From(destination),
            HopLimit = hopLimit,
        };
        return true;
    }

    public void Dispose()
    {
        _socket.Dispose();
        _vmacSocket?.Dispose();
    }

    private static IPAddress FindSourceAddress(string interfaceName, bool ipv6)
    {
        var nic = NetworkInterface.GetAllNetworkInterfaces().FirstOrDefault(n => n.Name == interfaceName)
            ?? throw new InvalidOperationException($"no interface {interfaceName}");
        var addresses = nic.GetIPProperties().UnicastAddresses.Select(u => u.Address);
        var found = ipv6
            ? addresses.FirstOrDefault(a => a.IsIPv6LinkLocal)
            : addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork);
        return found ?? throw new InvalidOperationException($"interface {interfaceName} has no {(ipv6 ? "link-local IPv6" : "IPv4")} address");
    }
}
