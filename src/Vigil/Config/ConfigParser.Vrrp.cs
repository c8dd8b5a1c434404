using System.Net;
using System.Net.Sockets;
using Vigil.Vrrp;
using Vigil.Vrrp.Addresses;
using Vigil.Vrrp.Packets;
using YamlDotNet.RepresentationModel;

namespace Vigil.Config;

internal sealed partial class ConfigParser
{
    private static readonly string[] VrrpKeys =
    [
        "name", "interface", "vrid", "priority", "advert_interval", "version", "v3_checksum_as_v2",
        "preempt", "preempt_delay", "virtual_addresses", "unicast_peers", "transport", "udp",
        "vmac", "address_mode", "garp_repeat", "garp_interval", "notify", "auth_pass", "track",
    ];
    private static readonly string[] UdpKeys = ["listen", "peers"];
    private static readonly string[] TrackKeys = ["pools", "interfaces", "scripts"];
    private static readonly string[] TrackScriptKeys = ["path", "interval", "weight"];

    /// <summary>RFC 9568 §5.2.7: a 12-bit count of centiseconds.</summary>
    private static readonly TimeSpan V3MinInterval = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan V3MaxInterval = TimeSpan.FromMilliseconds(40_950);

    private List<VrrpInstanceConfig> ParseVrrp(MappingReader root)
    {
        var instances = new List<VrrpInstanceConfig>();
        var seq = root.Sequence("vrrp");
        if (seq is null) return instances;
        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        var i = 0;
        foreach (var item in seq)
        {
            var path = $"vrrp[{i++}]";
            var m = _r.Mapping(item, path, VrrpKeys);
            if (m is null) continue;
            var name = m.Require("name") ? m.String("name") : null;
            if (name is not null)
            {
                path = $"vrrp.{name}";
                m.Path = path;
                if (!ConfigWords.IsName(name)) _r.Error(m.ValueLine("name"), m.PathOf("name"), ConfigWords.NameRule);
                else if (names.TryGetValue(name, out var firstLine))
                    _r.Error(m.ValueLine("name"), path, $"duplicate vrrp instance name (first at line {firstLine})");
                else names[name] = m.ValueLine("name");
            }
            var instance = ParseInstance(m, name ?? "", path);
            if (instance is null) continue;
            // RFC 9568 §1.7: a VRID names one virtual router per interface and address family.
            var twin = instances.FirstOrDefault(o =>
                o.Options.Vrid == instance.Options.Vrid && o.Interface == instance.Interface && o.Family == instance.Family);
            if (twin is not null)
                _r.Error(m.ValueLine("vrid"), $"{path}.vrid",
                    $"vrid {instance.Options.Vrid} is already used on {instance.Interface} by '{twin.Name}' (line {ConfigLines.Of(twin)})");
            instances.Add(instance);
        }
        return instances;
    }

    private VrrpInstanceConfig? ParseInstance(MappingReader m, string name, string path)
    {
        var iface = m.Require("interface") ? m.String("interface") : null;
        if (iface is not null && !IsInterfaceName(iface))
            _r.Error(m.ValueLine("interface"), $"{path}.interface", $"'{iface}' is not an interface name (at most 15 characters, no '/' or spaces)");
        var vrid = m.Require("vrid") ? m.Int("vrid", 1, 255) : null;

        var o = new VrrpInstanceOptions { Name = name, Vrid = (byte)(vrid ?? 0) };
        if (m.Int("version", 2, 3) is { } version) o = o with { Version = (byte)version };
        if (m.Int("priority", 1, 255) is { } priority) o = o with { Priority = (byte)priority };
        if (m.Bool("preempt") is { } preempt) o = o with { Preempt = preempt };
        if (m.Duration("preempt_delay") is { } delay)
        {
            // keepalived's bound; a longer delay is a typo for a shorter one.
            if (delay > TimeSpan.FromSeconds(1000))
                _r.Error(m.ValueLine("preempt_delay"), $"{path}.preempt_delay", "must be at most 1000s");
            else if (!o.Preempt)
                _r.Error(m.KeyLine("preempt_delay"), $"{path}.preempt_delay", "'preempt_delay' needs preempt: true");
            else o = o with { PreemptDelay = delay };
        }
        if (m.Duration("advert_interval") is { } interval
            && CheckAdvertInterval(interval, o.Version, m.ValueLine("advert_interval"), $"{path}.advert_interval"))
            o = o with { AdvertInterval = interval };

        o = o with { VirtualAddresses = ValueList<VirtualAddress>.From(ParseVirtualAddresses(m, path, o.Version)) };
        var family = o.VirtualAddresses.Count > 0 ? o.VirtualAddresses[0].Address.AddressFamily : AddressFamily.InterNetwork;

        if (m.Bool("v3_checksum_as_v2") is { } asV2)
        {
            if (o.Version != 3 || family != AddressFamily.InterNetwork)
                _r.Error(m.KeyLine("v3_checksum_as_v2"), $"{path}.v3_checksum_as_v2", "applies only to version 3 with IPv4 addresses");
            // keepalived's default form (pseudo-header) unless v3_checksum_as_v2; v2 ignores the form.
            else o = o with { Ipv4ChecksumForm = asV2 ? VrrpChecksumForm.V3WithoutPseudoHeader : VrrpChecksumForm.V3PseudoHeader };
        }
        if (m.String("auth_pass") is { } auth)
        {
            // RFC 3768 §5.3.6 keeps the field for compatibility; VRRPv3 (RFC 9568 §9) has no authentication.
            if (o.Version != 2)
                _r.Error(m.KeyLine("auth_pass"), $"{path}.auth_pass", "authentication exists only in VRRP version 2");
            else if (auth.Length > 8)
                _r.Error(m.ValueLine("auth_pass"), $"{path}.auth_pass", "at most 8 characters (RFC 2338 simple text authentication)");
            else o = o with { AuthPassword = auth };
        }
        if (m.String("notify") is { } notify) o = o with { NotifyScript = ResolvePath(notify) };
        var v = new VrrpInstanceConfig { Options = o, Interface = iface ?? "" };

        if (m.Strings("unicast_peers") is { } peers)
        {
            var list = new List<IPAddress>();
            foreach (var (text, node) in peers)
            {
                if (!ConfigAddress.TryLiteral(text, out var ip))
                    _r.Error(node, $"{path}.unicast_peers", $"'{text}' is not an IP address");
                else if (o.VirtualAddresses.Count > 0 && ip.AddressFamily != family)
                    _r.Error(node, $"{path}.unicast_peers", $"peer {ip} is not of the virtual addresses' family");
                else list.Add(ip);
            }
            v = v with { UnicastPeers = list };
        }

        if (m.Word("transport", ConfigWords.VrrpTransports, "transport") is { } transport) v = v with { Transport = transport };
        if (v.Transport == VrrpTransportKind.Udp)
        {
            if (!m.Has("udp")) _r.Error(m.ValueLine("transport"), $"{path}.transport", "transport: udp needs a 'udp' section (listen, peers)");
            else v = v with { Udp = ParseUdp(m) };
            m.Forbid("unicast_peers", "with transport: udp, list the peers under udp.peers");
        }
        else m.Forbid("udp", "'udp' applies to transport: udp");

        if (m.Word("address_mode", ConfigWords.AddressModes, "address_mode") is { } mode) v = v with { AddressMode = mode };
        if (m.Bool("vmac") is { } vmac)
        {
            if (vmac && v.AddressMode != VrrpAddressMode.Netlink)
                _r.Error(m.KeyLine("vmac"), $"{path}.vmac", "vmac needs address_mode: netlink (it adds a macvlan interface)");
            else v = v with { Vmac = vmac };
        }
        // With vmac the library answers with ARP replies: a crashed master's leftover macvlan would
        // answer a request from the same MAC and pull the switch port back to itself.
        var announce = new AnnounceOptions { ArpReply = v.Vmac };
        if (m.Int("garp_repeat", 1, 100) is { } repeat) announce = announce with { Repeat = repeat };
        if (m.Duration("garp_interval") is { } garpInterval)
        {
            if (garpInterval > TimeSpan.FromSeconds(10))
                _r.Error(m.ValueLine("garp_interval"), $"{path}.garp_interval", "must be at most 10s");
            else announce = announce with { Interval = garpInterval };
        }
        v = v with { Announce = announce };

        if (m.Value("track") is not null)
        {
            if (o.Priority == 255)
                _r.Error(m.KeyLine("track"), $"{path}.track", "the address owner (priority 255) keeps its priority: it cannot track");
            else if (ParseTrack(m, path) is { } track) v = v with { Track = track };
        }
        Library(m, o.Validate(), name);
        return iface is null || vrid is null ? null : ConfigLines.At(v, m.Line);
    }

    private bool CheckAdvertInterval(TimeSpan interval, int version, int line, string path)
    {
        if (version == 3)
        {
            if (interval < V3MinInterval || interval > V3MaxInterval)
            {
                _r.Error(line, path, $"{ConfigDuration.Format(interval)} is out of range 10ms–40.95s (VRRPv3, RFC 9568 §5.2.7)");
                return false;
            }
            if (interval.Ticks % V3MinInterval.Ticks != 0)
            {
                _r.Error(line, path, $"{ConfigDuration.Format(interval)} is not a whole number of centiseconds (VRRPv3 counts in 10ms steps)");
                return false;
            }
            return true;
        }
        if (interval.Ticks % TimeSpan.TicksPerSecond != 0 || interval < TimeSpan.FromSeconds(1) || interval > TimeSpan.FromSeconds(255))
        {
            _r.Error(line, path, $"{ConfigDuration.Format(interval)}: VRRPv2 intervals are whole seconds 1s–255s (RFC 3768 §5.3.7)");
            return false;
        }
        return true;
    }

    private List<VirtualAddress> ParseVirtualAddresses(MappingReader m, string path, int version)
    {
        var list = new List<VirtualAddress>();
        if (!m.Require("virtual_addresses")) return list;
        var items = m.Strings("virtual_addresses");
        if (items is null) return list;
        if (items.Count == 0) _r.Error(m.ValueLine("virtual_addresses"), $"{path}.virtual_addresses", "at least one address is needed");
        if (items.Count > 255)
            _r.Error(m.ValueLine("virtual_addresses"), $"{path}.virtual_addresses", "at most 255 addresses (the advert's count field)");
        foreach (var (text, node) in items)
        {
            if (!ConfigAddress.TryParsePrefix(text, out var ip, out var prefix, out var error))
            {
                _r.Error(node, $"{path}.virtual_addresses", error);
                continue;
            }
            var va = new VirtualAddress(ip, prefix);
            if (list.Count > 0 && list[0].Address.AddressFamily != ip.AddressFamily)
                _r.Error(node, $"{path}.virtual_addresses",
                    $"{va} is not of the same family as {list[0]}: one instance carries one family (use a second instance)");
            else if (version == 2 && ip.AddressFamily == AddressFamily.InterNetworkV6)
                _r.Error(node, $"{path}.virtual_addresses", $"{va}: VRRPv2 is IPv4 only (RFC 3768); use version: 3");
            else if (list.Any(o => o.Address.Equals(ip)))
                _r.Error(node, $"{path}.virtual_addresses", $"{ip} is listed twice");
            else list.Add(va);
        }
        return list;
    }

    private VrrpUdpConfig? ParseUdp(MappingReader instance)
    {
        var m = instance.Mapping("udp", UdpKeys);
        if (m is null) return null;
        m.Require("listen");
        m.Require("peers");
        IPEndPoint? listen = null;
        if (m.String("listen") is { } text)
        {
            if (ConfigAddress.TryParseLiteralEndPoint(text, out var ep, out var error)) listen = ep;
            else _r.Error(m.ValueLine("listen"), m.PathOf("listen"), error);
        }
        var peers = new List<IPEndPoint>();
        foreach (var (peer, node) in m.Strings("peers") ?? [])
        {
            if (ConfigAddress.TryParseLiteralEndPoint(peer, out var ep, out var error)) peers.Add(ep);
            else _r.Error(node, m.PathOf("peers"), error);
        }
        return listen is null ? null : new VrrpUdpConfig { Listen = listen, Peers = peers };
    }

    private VrrpTrackConfig? ParseTrack(MappingReader instance, string path)
    {
        var m = instance.Mapping("track", TrackKeys);
        if (m is null) return null;
        var track = new VrrpTrackConfig();
        if (m.FreeMapping("pools") is { } pools)
        {
            var weights = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var (k, v) in pools.Children)
            {
                var pool = (k as YamlScalarNode)?.Value ?? "";
                var keyPath = $"{path}.track.pools.{pool}";
                CheckReference(pool, _poolNames, "pool", ConfigReader.Line(k), keyPath);
                if (TrackWeight(v, keyPath) is { } w) weights[pool] = w;
            }
            track = track with { Pools = weights };
        }
        if (m.FreeMapping("interfaces") is { } ifaces)
        {
            var weights = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var (k, v) in ifaces.Children)
            {
                var iface = (k as YamlScalarNode)?.Value ?? "";
                var keyPath = $"{path}.track.interfaces.{iface}";
                if (!IsInterfaceName(iface)) _r.Error(k, keyPath, $"'{iface}' is not an interface name");
                else if (TrackWeight(v, keyPath) is { } w) weights[iface] = w;
            }
            track = track with { Interfaces = weights };
        }
        if (m.Sequence("scripts") is { } scripts)
        {
            var list = new List<VrrpTrackScript>();
            var i = 0;
            foreach (var item in scripts)
            {
                var s = _r.Mapping(item, $"{path}.track.scripts[{i++}]", TrackScriptKeys);
                if (s is null) continue;
                var scriptPath = s.Require("path") ? s.String("path") : null;
                var interval = Positive(s, "interval") ?? TimeSpan.FromSeconds(1);
                int? weight = s.Require("weight") ? TrackWeight(s.Value("weight")!, s.PathOf("weight")) : null;
                if (scriptPath is not null && weight is not null)
                    list.Add(new VrrpTrackScript(ResolvePath(scriptPath), interval, weight.Value));
            }
            track = track with { Scripts = list };
        }
        return track;
    }

    /// <summary>keepalived's range: −254..254; a negative weight applies while failing, a positive one while healthy.</summary>
    private int? TrackWeight(YamlNode node, string path)
    {
        var w = _r.Int(node, path, -254, 254);
        if (w == 0)
        {
            _r.Error(node, path, "a weight of 0 changes nothing: use −254..−1 (lower while failing) or 1..254 (raise while healthy)");
            return null;
        }
        return w;
    }

    /// <summary>Linux IFNAMSIZ is 16 including the terminating NUL.</summary>
    private static bool IsInterfaceName(string s) =>
        s.Length is > 0 and <= 15 && !s.Any(c => c == '/' || char.IsWhiteSpace(c));
}
