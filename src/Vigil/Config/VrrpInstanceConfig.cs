using System.Net;
using System.Net.Sockets;
using Vigil.Vrrp;
using Vigil.Vrrp.Addresses;

namespace Vigil.Config;

/// <summary>
/// One virtual router (keepalived's vrrp_instance): who may hold which virtual addresses. What the
/// protocol needs is the Vrrp library's own <see cref="VrrpInstanceOptions"/> and how a new master
/// announces itself its <see cref="AnnounceOptions"/>, wrapped rather than copied so their defaults
/// live in one place; the rest (interface, transport, address mode, tracking) is the host's.
/// </summary>
public sealed partial record VrrpInstanceConfig
{
    /// <summary>name, vrid, priority, advert_interval, version, v3_checksum_as_v2, preempt, preempt_delay, virtual_addresses, auth_pass, notify.</summary>
    public required VrrpInstanceOptions Options { get; init; }
    /// <summary>garp_repeat, garp_interval (and ARP replies with vmac).</summary>
    public AnnounceOptions Announce { get; init; } = new();
    public required string Interface { get; init; }
    /// <summary>Send adverts to these peers instead of multicast.</summary>
    public IReadOnlyList<IPAddress> UnicastPeers { get; init => field = ValueList<IPAddress>.From(value); } = ValueList<IPAddress>.Empty;
    public VrrpTransportKind Transport { get; init; } = VrrpTransportKind.Raw;
    /// <summary>Set when <see cref="Transport"/> is udp.</summary>
    public VrrpUdpConfig? Udp { get; init; }
    /// <summary>Take over the virtual MAC 00-00-5E-00-01-{VRID} through a macvlan interface.</summary>
    public bool Vmac { get; init; }
    public VrrpAddressMode AddressMode { get; init; } = VrrpAddressMode.Netlink;
    public VrrpTrackConfig Track { get; init; } = new();

    public string Name => Options.Name;
    public IReadOnlyList<VirtualAddress> VirtualAddresses => Options.VirtualAddresses;

    public AddressFamily Family => VirtualAddresses.Count > 0 ? VirtualAddresses[0].Address.AddressFamily : AddressFamily.InterNetwork;
}

/// <summary>How adverts travel between nodes.</summary>
public enum VrrpTransportKind
{
    /// <summary>IP protocol 112 on a raw socket (needs CAP_NET_RAW).</summary>
    Raw,
    /// <summary>Adverts in UDP datagrams between loopback ports: unprivileged, for the demo and tests.</summary>
    Udp,
}

/// <summary>How a master holds its virtual addresses.</summary>
public enum VrrpAddressMode
{
    /// <summary>Add them to the interface (netlink) and announce them with gratuitous ARP / NA.</summary>
    Netlink,
    /// <summary>Bind listeners to them (loopback demo); nothing is added to an interface.</summary>
    Bind,
}

/// <summary>The udp transport: where this node receives adverts and where it sends them.</summary>
public sealed record VrrpUdpConfig
{
    public required IPEndPoint Listen { get; init; }
    public IReadOnlyList<IPEndPoint> Peers { get; init => field = ValueList<IPEndPoint>.From(value); } = ValueList<IPEndPoint>.Empty;
}

/// <summary>What lowers or raises the priority, keepalived's track_* with weights.</summary>
public sealed record VrrpTrackConfig
{
    /// <summary>Pool name → weight added to the priority while every backend of the pool is down.</summary>
    public IReadOnlyDictionary<string, int> Pools { get; init => field = ValueMap<string, int>.From(value); } = ValueMap<string, int>.Empty;
    /// <summary>Interface name → weight added while the interface is down.</summary>
    public IReadOnlyDictionary<string, int> Interfaces { get; init => field = ValueMap<string, int>.From(value); } = ValueMap<string, int>.Empty;
    public IReadOnlyList<VrrpTrackScript> Scripts { get; init => field = ValueList<VrrpTrackScript>.From(value); } = ValueList<VrrpTrackScript>.Empty;
}

/// <summary>A check script run on an interval; its weight applies while it exits non-zero.</summary>
public sealed record VrrpTrackScript(string Path, TimeSpan Interval, int Weight);
