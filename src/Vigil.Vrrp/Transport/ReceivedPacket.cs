using Vigil.Vrrp.Runtime;

namespace Vigil.Vrrp.Transport;

/// <summary>
/// What a transport received: either a whole IP datagram (raw IPv4: the header is checked by
/// <see cref="Packets.VrrpDatagram"/>), or a bare VRRP message with its IP addresses beside it.
/// </summary>
public readonly struct ReceivedPacket
{
    public int Length { get; init; }

    /// <summary>True when the buffer starts with the IP header.</summary>
    public bool IncludesIpHeader { get; init; }

    /// <summary>IP source, when the buffer holds only the VRRP message.</summary>
    public AddressBytes Source { get; init; }

    /// <summary>IP destination, when the buffer holds only the VRRP message.</summary>
    public AddressBytes Destination { get; init; }

    /// <summary>TTL / hop limit from ancillary data when the header is not in the buffer; 0 when unknown (UDP).</summary>
    public int HopLimit { get; init; }
}
