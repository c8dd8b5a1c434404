using System.Net.Sockets;
using Vigil.Vrrp;
using Vigil.Vrrp.Addresses;
using Vigil.Vrrp.Packets;
using Vigil.Vrrp.Transport;

namespace Vigil.Config;

// The mapping of a validated VRRP instance to the Vigil.Vrrp options the host builds a VrrpInstance from.
// The udp transport takes Udp.Listen and Udp.Peers as they are; tracking is wired by the host
// (PriorityAdjustments.Set("pool:web", weight) while the condition holds).
public sealed partial record VrrpInstanceConfig
{
    /// <summary>The instance options; the model must be valid (VRID, priority and interval already checked).</summary>
    public VrrpInstanceOptions ToOptions() => new()
    {
        Name = Name,
        Vrid = checked((byte)Vrid),
        Priority = checked((byte)Priority),
        AdvertInterval = AdvertInterval,
        Preempt = Preempt,
        PreemptDelay = PreemptDelay,
        Version = checked((byte)Version),
        VirtualAddresses = VirtualAddresses,
        // keepalived's default (pseudo-header) unless v3_checksum_as_v2; v2 ignores the form.
        Ipv4ChecksumForm = V3ChecksumAsV2 ? VrrpChecksumForm.V3WithoutPseudoHeader : VrrpChecksumForm.V3PseudoHeader,
        AuthPassword = AuthPass?.Value,
        NotifyScript = Notify,
    };

    /// <summary>Options of the raw IP transport (<c>transport: raw</c>): interface, family, unicast peers.</summary>
    public RawTransportOptions ToRawTransportOptions() => new()
    {
        Interface = Interface,
        Ipv6 = Family == AddressFamily.InterNetworkV6,
        UnicastPeers = UnicastPeers,
        // vmac: adverts leave from the macvlan the VmacAddressActuator creates, so switches learn the virtual MAC.
        VmacInterface = Vmac ? "vrrp." + Vrid.ToString(System.Globalization.CultureInfo.InvariantCulture) : null,
    };

    /// <summary>How a new master announces its addresses (garp_repeat, garp_interval).</summary>
    public AnnounceOptions ToAnnounceOptions() => new() { Repeat = GarpRepeat, Interval = GarpInterval };
}
