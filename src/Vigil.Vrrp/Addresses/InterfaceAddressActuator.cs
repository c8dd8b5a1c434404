using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Vigil.Vrrp.Packets;
using Vigil.Vrrp.Transport;

namespace Vigil.Vrrp.Addresses;

/// <summary>
/// Adds the virtual addresses to an interface with <c>ip addr</c> on Master and removes them on Backup,
/// then announces IPv4 addresses with gratuitous ARP and IPv6 ones with unsolicited Neighbor Advertisements
/// (RFC 9568 §6.4.1 (3)) through an AF_PACKET socket. If that socket cannot be opened (no CAP_NET_RAW),
/// it falls back to Debian's <c>arping</c> (Thomas Habets' 2.x: <c>-U</c> sends an unsolicited ARP), IPv4 only.
/// </summary>
public sealed class InterfaceAddressActuator : IVirtualAddressActuator
{
    private readonly string _interface;
    private readonly IReadOnlyList<VirtualAddress> _addresses;
    private readonly AnnounceOptions _announce;
    private readonly ILogger _logger;
    private readonly string? _netns;

    public InterfaceAddressActuator(string interfaceName, IReadOnlyList<VirtualAddress> addresses, AnnounceOptions? announce = null,
        ILogger? logger = null, string? networkNamespace = null)
    {
        _netns = networkNamespace;
        _interface = interfaceName;
        _addresses = addresses;
        _announce = announce ?? new AnnounceOptions();
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Frames sent by the last announcement (for tests and status).</summary>
    public int FramesSent { get; private set; }

    /// <summary>Which way the last announcement went: "packet-socket", "arping" or "none".</summary>
    public string AnnounceMethod { get; private set; } = "none";

    public async Task TakeAsync(CancellationToken cancellationToken)
    {
        foreach (var a in _addresses)
        {
            var args = Ip("addr", "add", a.ToString(), "dev", _interface);
            if (a.Address.AddressFamily == AddressFamily.InterNetworkV6)
            {
                args.Add("nodad"); // usable at once: duplicate detection would delay the takeover by a second
            }
            var (code, error) = await IpCommand.RunAsync(args, cancellationToken).ConfigureAwait(false);
            if (code != 0 && !error.Contains("File exists", StringComparison.Ordinal))
            {
                _logger.LogError("vrrp: ip addr add {Address} dev {Interface} failed: {Error}", a, _interface, error);
            }
        }
        await AnnounceAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task ReleaseAsync(CancellationToken cancellationToken)
    {
        foreach (var a in _addresses)
        {
            var (code, error) = await IpCommand.RunAsync(Ip("addr", "del", a.ToString(), "dev", _interface), cancellationToken).ConfigureAwait(false);
            // Not there: nothing to release (the usual case at startup).
            if (code != 0 && !error.Contains("Cannot assign requested address", StringComparison.Ordinal))
            {
                _logger.LogWarning("vrrp: ip addr del {Address} dev {Interface} failed: {Error}", a, _interface, error);
            }
        }
    }

    public async Task AnnounceAsync(CancellationToken cancellationToken)
    {
        var (ifindex, mac) = await ReadLinkAsync(cancellationToken).ConfigureAwait(false);
        var errno = 0;
        using var socket = NetworkNamespace.Run(_netns, () => PacketSocket.TryOpen(ifindex, out errno));
        FramesSent = 0;
        AnnounceMethod = socket is null ? "arping" : "packet-socket";
        var frame = new byte[NeighborAdvertisementFrame.Length];
        for (var round = 0; round < _announce.Repeat; round++)
        {
            if (round > 0)
            {
                await Task.Delay(_announce.Interval, cancellationToken).ConfigureAwait(false);
            }
            foreach (var a in _addresses)
            {
                var bytes = a.Address.GetAddressBytes();
                if (socket is null)
                {
                    if (bytes.Length == 4)
                    {
                        string[] arping = ["arping", "-q", "-U", "-c", "1", "-i", _interface, "-S", a.Address.ToString(), a.Address.ToString()];
                        var (code, error) = _netns is null
                            ? await IpCommand.RunAsync(arping[1..], cancellationToken, "arping").ConfigureAwait(false)
                            : await IpCommand.RunAsync(["netns", "exec", _netns, .. arping], cancellationToken).ConfigureAwait(false);
                        if (code == 0 || code == 1) // 1: no reply, expected for an unsolicited ARP
                        {
                            FramesSent++;
                        }
                        else
                        {
                            _logger.LogWarning("vrrp: arping for {Address} failed ({Errno}): {Error}", a, errno, error);
                        }
                    }
                    continue;
                }
                var n = bytes.Length == 4
                    ? GratuitousArpFrame.Write(frame, mac, bytes)
                    : NeighborAdvertisementFrame.Write(frame, mac, bytes);
                var err = socket.Send(frame.AsSpan(0, n));
                if (err == 0)
                {
                    FramesSent++;
                }
                else
                {
                    _logger.LogWarning("vrrp: announcing {Address} on {Interface} failed: errno {Errno}", a, _interface, err);
                }
            }
        }
    }

    private List<string> Ip(params string[] args) => _netns is null ? [.. args] : ["-n", _netns, .. args];

    /// <summary>Interface index and MAC from <c>ip -j link</c> (works across namespaces, unlike /sys).</summary>
    private async Task<(int Index, byte[] Mac)> ReadLinkAsync(CancellationToken cancellationToken)
    {
        var (code, output) = await IpCommand.RunAsync(Ip("-j", "link", "show", "dev", _interface), cancellationToken, captureOutput: true).ConfigureAwait(false);
        if (code != 0)
        {
            throw new InvalidOperationException($"ip link show dev {_interface}: {output}");
        }
        using var json = JsonDocument.Parse(output);
        var link = json.RootElement[0];
        var mac = Convert.FromHexString(link.GetProperty("address").GetString()!.Replace(":", "", StringComparison.Ordinal));
        return (link.GetProperty("ifindex").GetInt32(), mac);
    }
}
