using System.Globalization;
using System.Text.RegularExpressions;

namespace Vigil.Tests.Lab;

/// <summary>One VRRP advert or gratuitous ARP seen on the wire: when (Unix seconds, kernel timestamp), from which MAC.</summary>
internal readonly record struct WireEvent(double At, string Mac, int Priority)
{
    /// <summary>A gratuitous ARP rather than an advert.</summary>
    public bool IsGarp => Priority < 0;
}

/// <summary>
/// tcpdump on a host's eth0 in its namespace, keeping VRRP adverts (with their priority) and gratuitous ARPs,
/// so takeover times are read from kernel timestamps on the wire rather than from the test's polling.
/// </summary>
internal sealed partial class WireCapture : IDisposable
{
    private readonly List<WireEvent> _events = [];
    private readonly LabProcess _process;
    private volatile bool _listening;

    public WireCapture(NetnsLab lab, string host)
    {
        _process = new LabProcess("tcpdump", lab.Ns(host), OnLine, "tcpdump", "-i", "eth0", "-n", "-tt", "-e", "-l", "arp or ip proto 112");
    }

    /// <summary>tcpdump has attached to the interface.</summary>
    public bool Listening => _listening;

    public IReadOnlyList<WireEvent> Events
    {
        get
        {
            lock (_events) return _events.ToArray();
        }
    }

    public static double UnixNow => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;

    private void OnLine(string line)
    {
        if (line.Contains("listening on", StringComparison.Ordinal))
        {
            _listening = true;
            return;
        }
        var m = EventPattern().Match(line);
        if (!m.Success) return;
        var at = double.Parse(m.Groups["at"].Value, CultureInfo.InvariantCulture);
        int priority;
        if (m.Groups["prio"].Success)
        {
            priority = int.Parse(m.Groups["prio"].Value, CultureInfo.InvariantCulture);
        }
        else if (m.Groups["target"].Value == m.Groups["sender"].Value)
        {
            priority = -1;
        }
        else
        {
            return;
        }
        lock (_events) _events.Add(new WireEvent(at, m.Groups["mac"].Value, priority));
    }

    public void Dispose() => _process.Dispose();

    // "1795861698.337513 02:77:00:00:02:11 > 01:00:5e:00:00:12, ... VRRPv3, Advertisement, vrid 51, prio 0, ..."
    // "1795861698.409776 02:77:00:00:02:12 > ff:ff:ff:ff:ff:ff, ... Request who-has 10.77.0.50 (ff:ff:ff:ff:ff:ff) tell 10.77.0.50, ..."
    [GeneratedRegex(@"^(?<at>\d+\.\d+) (?<mac>[0-9a-f:]{17}) > .*?(?:Advertisement, vrid \d+, prio (?<prio>\d+)|Request who-has (?<target>\S+) \(ff:ff:ff:ff:ff:ff\) tell (?<sender>[0-9.]+))")]
    private static partial Regex EventPattern();
}
