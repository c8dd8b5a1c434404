using System.Globalization;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Vigil.Vrrp.Addresses;

/// <summary>
/// <c>vmac: true</c>: the virtual addresses live on a macvlan interface <c>vrrp.{VRID}</c> whose MAC is the virtual
/// router MAC (RFC 9568 §7.3), so a failover changes no client's ARP entry: only the switch relearns the port,
/// from the new master's gratuitous ARP sent from that MAC. The macvlan is created at startup and kept down on
/// Backup, so a backup never emits a frame from the shared MAC.
/// </summary>
/// <remarks>
/// Sysctls set at startup (keepalived leaves them to the operator, and its measured failovers suffer for it):
/// on the parent, <c>arp_ignore=1</c> (the parent never answers ARP for the VIP with its own MAC) and
/// <c>arp_announce=2</c> (the parent never sends ARP with the VIP as sender address, which would point clients
/// at the real MAC); on the macvlan, the same, plus <c>rp_filter=0</c> (replies may leave by the parent) and no
/// IPv6 link-local address for IPv4 instances (nothing but ARP leaves it). Unlike keepalived, <c>accept_local</c>
/// stays 0: with it, a crashed master's leftover VIP answers the new master's gratuitous ARP request and pulls the
/// virtual MAC back to the dead node's switch port (reproduced in the lab). Gratuitous ARP goes out as replies and
/// adverts leave from the virtual MAC (<see cref="Transport.RawTransportOptions.VmacInterface"/>) as two more guards.
/// </remarks>
public sealed class VmacAddressActuator : IVirtualAddressActuator, IDisposable
{
    private readonly string _parent;
    private readonly byte _vrid;
    private readonly bool _ipv6;
    private readonly string? _netns;
    private readonly ILogger _logger;
    private readonly InterfaceAddressActuator _inner;
    private NetlinkAddresses? _netlink;
    private bool _created;

    public VmacAddressActuator(string parentInterface, byte vrid, IReadOnlyList<VirtualAddress> addresses, AnnounceOptions? announce = null,
        ILogger? logger = null, string? networkNamespace = null)
    {
        _parent = parentInterface;
        _vrid = vrid;
        _ipv6 = addresses.Count > 0 && addresses[0].Address.AddressFamily == AddressFamily.InterNetworkV6;
        _netns = networkNamespace;
        _logger = logger ?? NullLogger.Instance;
        InterfaceName = "vrrp." + vrid.ToString(CultureInfo.InvariantCulture);
        // Replies by default: a crashed master's leftover macvlan would answer a request from the same MAC and
        // pull the switch port back to itself.
        _inner = new InterfaceAddressActuator(InterfaceName, addresses, announce ?? new AnnounceOptions { ArpReply = true }, logger, networkNamespace);
    }

    /// <summary>The macvlan interface, keepalived's default name.</summary>
    public string InterfaceName { get; }

    public void Take()
    {
        EnsureCreated();
        _netlink!.SetLinkUp(_inner.InterfaceIndex, true);
        _inner.Take();
    }

    public void Release()
    {
        EnsureCreated();
        _inner.Release();
        _netlink!.SetLinkUp(_inner.InterfaceIndex, false);
    }

    public bool TakesInline => _created && _inner.TakesInline;

    public AnnounceOptions Announcing => _inner.Announcing;

    public void Announce() => _inner.Announce();

    private void EnsureCreated()
    {
        if (_created)
        {
            return;
        }
        // A crash may have left the macvlan behind (with the VIP on it): start clean.
        Ip(check: false, "link", "del", InterfaceName);
        Ip(check: true, "link", "add", "link", _parent, "name", InterfaceName,
            "address", VirtualMac.Format(_vrid, _ipv6), "type", "macvlan", "mode", "private");
        if (!_ipv6)
        {
            Ip(check: true, "link", "set", "dev", InterfaceName, "addrgenmode", "none");
        }
        Sysctl(
            $"net.ipv4.conf.{_parent}.arp_ignore=1", $"net.ipv4.conf.{_parent}.arp_announce=2",
            $"net.ipv4.conf.{Key(InterfaceName)}.arp_ignore=1", $"net.ipv4.conf.{Key(InterfaceName)}.arp_announce=2",
            $"net.ipv4.conf.{Key(InterfaceName)}.rp_filter=0");
        _netlink = NetlinkAddresses.Open(_netns);
        _created = true;
        // The inner actuator reads the macvlan's index and MAC, opens its sockets, and removes nothing (it is new).
        _inner.Release();
    }

    // sysctl keys use '/' for a '.' inside an interface name.
    private static string Key(string interfaceName) => interfaceName.Replace('.', '/');

    private void Ip(bool check, params string[] args)
    {
        List<string> all = _netns is null ? [] : ["-n", _netns];
        all.AddRange(args);
        var (code, error) = IpCommand.Run(all);
        if (check && code != 0)
        {
            throw new InvalidOperationException($"ip {string.Join(' ', all)}: {error}");
        }
    }

    private void Sysctl(params string[] settings)
    {
        List<string> args = ["-q", "-w", .. settings];
        var (code, error) = _netns is null
            ? IpCommand.Run(args, "sysctl")
            : IpCommand.Run(["netns", "exec", _netns, "sysctl", .. args]);
        if (code != 0)
        {
            _logger.LogWarning("vrrp: sysctl for {Interface} failed: {Error}", InterfaceName, error);
        }
    }

    public void Dispose()
    {
        _inner.Dispose();
        _netlink?.Dispose();
        if (_created)
        {
            // Like keepalived on exit: the macvlan goes with us.
            Ip(check: false, "link", "del", InterfaceName);
        }
    }
}
