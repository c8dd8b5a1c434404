using System.Net.Sockets;
using Vigil.Vrrp;
using Vigil.Vrrp.Addresses;
using Vigil.Vrrp.Packets;
using Vigil.Vrrp.Transport;

namespace Vigil.Config;

// The Vigil.Vrrp options the host builds a VrrpInstance from: the wrapped ones, and the raw transport's, composed from host fields.
// The udp transport takes Udp.Listen and Udp.Peers as they are; tracking is wired by the host
// (PriorityAdjustments.Set("pool:web", weight) while the condition holds).
public sealed partial record VrrpInstanceConfig
{
    /// <summary>The instance options the library runs (the model wraps them).</summary>
    public VrrpInstanceOptions ToOptions() => Options;

    /// <summary>Options of the raw IP transport (<c>transport: raw</c>): interface, family, unicast peers.</summary>
    public RawTransportOptions ToRawTransportOptions() => new()
    {
        Interface = Interface,
        Ipv6 = Family == AddressFamily.InterNetworkV6,
        UnicastPeers = UnicastPeers,
        // vmac: adverts leave from the macvlan the VmacAddressActuator creates, so switches learn the virtual MAC.
        VmacInterface = Vmac ? "vrrp." + Options.Vrid.ToString(System.Globalization.CultureInfo.InvariantCulture) : null,
    };

    /// <summary>How a new master announces its addresses (garp_repeat, garp_interval).</summary>
    public AnnounceOptions ToAnnounceOptions() => Announce;
}
