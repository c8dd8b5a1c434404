using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Vigil.Vrrp.Packets;

namespace Vigil.Vrrp.Addresses;

/// <summary>
/// Adds the virtual addresses to an interface on Master and removes them on Backup (rtnetlink, as <c>ip addr</c>),
/// then announces IPv4 addresses with gratuitous ARP and IPv6 ones with unsolicited Neighbor Advertisements
/// (RFC 9568 §6.4.1 (3)) through an AF_PACKET socket. If that socket cannot be opened (no CAP_NET_RAW), it falls
/// back to Debian's <c>arping</c> (Thomas Habets' 2.x: <c>-U</c> sends an unsolicited ARP), IPv4 only.
/// The interface's index and MAC are read once (<c>ip -j link</c>) at startup, so a takeover starts no process.
/// </summary>
public sealed class InterfaceAddressActuator : IVirtualAddressActuator, IDisposable
{
    private readonly string _interface;
    private readonly IReadOnlyList<VirtualAddress> _addresses;
    private readonly AnnounceOptions _announce;
    private readonly ILogger _logger;
    private readonly string? _netns;
    private readonly byte[] _frame = new byte[NeighborAdvertisementFrame.Length];
    private NetlinkAddresses? _netlink;
    private PacketSocket? _packet;
    private int _packetErrno;
    private int _ifindex;
    private byte[]? _mac;

    public InterfaceAddressActuator(string interfaceName, IReadOnlyList<VirtualAddress> addresses, AnnounceOptions? announce = null,
        ILogger? logger = null, string? networkNamespace = null)
    {
        _interface = interfaceName;
        _addresses = addresses;
        _announce = announce ?? new AnnounceOptions();
        _logger = logger ?? NullLogger.Instance;
        _netns = networkNamespace;
    }

    /// <summary>The interface's index, known once the actuator has started (0 before).</summary>
    internal int InterfaceIndex => _ifindex;

    public void Take()
    {
        EnsureReady();
        foreach (var a in _addresses)
        {
            try
            {
                _netlink!.Add(_ifindex, a);
            }
            catch (Exception ex) when (ex is InvalidOperationException or SocketException)
            {
                _logger.LogError(ex, "vrrp: adding {Address} to {Interface} failed", a, _interface);
            }
        }
    }

    public void Release()
    {
        // Also the startup path: opening everything here means a later takeover starts no process.
        EnsureReady();
        foreach (var a in _addresses)
        {
            try
            {
                _netlink!.Remove(_ifindex, a); // false: not there, the usual case at startup
            }
            catch (Exception ex) when (ex is InvalidOperationException or SocketException)
            {
                _logger.LogWarning(ex, "vrrp: removing {Address} from {Interface} failed", a, _interface);
            }
        }
    }

    /// <summary>Once the interface is known and the sockets are open (the startup release does that).</summary>
    public bool TakesInline => _mac is not null && _packet is not null;

    public AnnounceOptions Announcing => _announce;

    public void Announce()
    {
        EnsureReady();
        foreach (var a in _addresses)
        {
            var bytes = a.Address.GetAddressBytes();
            if (_packet is null)
            {
                Arping(a, bytes);
                continue;
            }
            var n = bytes.Length == 4
                ? GratuitousArpFrame.Write(_frame, _mac, bytes, _announce.ArpReply)
                : NeighborAdvertisementFrame.Write(_frame, _mac, bytes);
            var err = _packet.Send(_frame.AsSpan(0, n));
            if (err != 0)
            {
                _logger.LogWarning("vrrp: announcing {Address} on {Interface} failed: errno {Errno}", a, _interface, err);
            }
        }
    }

    private void Arping(VirtualAddress a, byte[] bytes)
    {
        if (bytes.Length != 4)
        {
            return;
        }
        string[] arping = ["arping", "-q", "-U", "-c", "1", "-i", _interface, "-S", a.Address.ToString(), a.Address.ToString()];
        var (code, error) = _netns is null
            ? IpCommand.Run(arping[1..], "arping")
            : IpCommand.Run(["netns", "exec", _netns, .. arping]);
        if (code is not (0 or 1)) // 1: no reply, expected for an unsolicited ARP
        {
            _logger.LogWarning("vrrp: arping for {Address} failed (packet socket errno {Errno}): {Error}", a, _packetErrno, error);
        }
    }

    private void EnsureReady()
    {
        if (_mac is not null)
        {
            return;
        }
        List<string> args = _netns is null ? [] : ["-n", _netns];
        args.AddRange(["-j", "link", "show", "dev", _interface]);
        var (code, output) = IpCommand.Run(args, captureOutput: true);
        if (code != 0)
        {
            throw new InvalidOperationException($"ip link show dev {_interface}: {output}");
        }
        using (var json = JsonDocument.Parse(output))
        {
            var link = json.RootElement[0];
            _ifindex = link.GetProperty("ifindex").GetInt32();
            _mac = Convert.FromHexString(link.GetProperty("address").GetString()!.Replace(":", "", StringComparison.Ordinal));
        }
        _netlink = NetlinkAddresses.Open(_netns);
        var ifindex = _ifindex;
        _packet = Transport.NetworkNamespace.Run(_netns, () => PacketSocket.TryOpen(ifindex, out _packetErrno));
    }

    public void Dispose()
    {
        _netlink?.Dispose();
        _packet?.Dispose();
    }
}
