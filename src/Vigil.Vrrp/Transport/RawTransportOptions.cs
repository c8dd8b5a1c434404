using System.Net;

namespace Vigil.Vrrp.Transport;

/// <summary>Where a raw VRRP transport runs: the interface, our source address and optional unicast peers.</summary>
public sealed record RawTransportOptions
{
    /// <summary>The interface adverts go out of and come in on (SO_BINDTODEVICE).</summary>
    public required string Interface { get; init; }

    /// <summary>
    /// This router's primary address on the interface. Null: the interface's first IPv4 address, or for
    /// <see cref="Ipv6"/> its link-local address (RFC 9568 §5.1.2.1 requires the link-local as IPv6 source).
    /// </summary>
    public IPAddress? SourceAddress { get; init; }

    /// <summary>Run VRRP over IPv6 when <see cref="SourceAddress"/> is not given.</summary>
    public bool Ipv6 { get; init; }

    /// <summary>Named network namespace (<c>ip netns</c>) the interface lives in; null for ours.</summary>
    public string? NetworkNamespace { get; init; }

    /// <summary>
    /// The vmac macvlan (e.g. <c>vrrp.51</c>), when the instance runs with <c>vmac</c>: adverts leave through it
    /// whenever it is up, so their Ethernet source is the virtual MAC (RFC 9568 §7.3) and every advert reminds the
    /// switches which port the master is on. Receiving stays on <see cref="Interface"/>.
    /// </summary>
    public string? VmacInterface { get; init; }

    /// <summary>Send to these peers instead of the multicast group (keepalived's unicast_peer).</summary>
    public IReadOnlyList<IPAddress> UnicastPeers { get; init; } = [];
}
