using System.Net;
using System.Net.Sockets;
using Vigil.Vrrp.Addresses;

namespace Vigil.Config;

/// <summary>One virtual router (keepalived's vrrp_instance): who may hold which virtual addresses.</summary>
public sealed partial record VrrpInstanceConfig
{
    public required string Name { get; init; }
    public required string Interface { get; init; }
    public int Vrid { get; init; }
    /// <summary>1–254; 255 only for the address owner.</summary>
    public int Priority { get; init; } = 100;
    public TimeSpan AdvertInterval { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>3 (RFC 9568) or 2 (RFC 3768, IPv4 only).</summary>
    public int Version { get; init; } = 3;
    /// <summary>Send the IPv4 VRRPv3 checksum without the pseudo-header, as keepalived's vrrp_v3_checksum_as_v2 does.</summary>
    public bool V3ChecksumAsV2 { get; init; }
    public bool Preempt { get; init; } = true;
    public TimeSpan PreemptDelay { get; init; } = TimeSpan.Zero;
    public IReadOnlyList<VirtualAddress> VirtualAddresses { get; init => field = ValueList<VirtualAddress>.From(value); } = ValueList<VirtualAddress>.Empty;
    /// <summary>Send adverts to these peers instead of multicast.</summary>
    public IReadOnlyList<IPAddress> UnicastPeers { get; init => field = ValueList<IPAddress>.From(value); } = ValueList<IPAddress>.Empty;
    public VrrpTransportKind Transport { get; init; } = VrrpTransportKind.Raw;
    /// <summary>Set when <see cref="Transport"/> is udp.</summary>
    public VrrpUdpConfig? Udp { get; init; }
    /// <summary>Take over the virtual MAC 00-00-5E-00-01-{VRID} through a macvlan interface.</summary>
    public bool Vmac { get; init; }
    public VrrpAddressMode AddressMode { get; init; } = VrrpAddressMode.Netlink;
    /// <summary>Gratuitous ARPs / unsolicited NAs sent on becoming master.</summary>
    public int GarpRepeat { get; init; } = 5;
    public TimeSpan GarpInterval { get; init; } = TimeSpan.FromMilliseconds(100);
    /// <summary>Run on each transition with instance, state and priority as arguments.</summary>
    public string? Notify { get; init; }
    /// <summary>VRRPv2 simple text authentication (up to 8 characters).</summary>
    public Secret? AuthPass { get; init; }
    public VrrpTrackConfig Track { get; init; } = new();

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
