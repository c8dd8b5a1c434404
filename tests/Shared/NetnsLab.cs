using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Vigil.TestLab;

/// <summary>
/// A throwaway layer-2 lab in network namespaces: a bridge in its own namespace, and router/client
/// namespaces each with an eth0 on it. Created by the test, deleted on dispose (after the processes the test
/// started inside are gone); nothing touches the host's own network. One source file linked into each test
/// project that runs labs (tests/Vigil.Vrrp.Tests, tests/Vigil.Tests), so no test project depends on another.
/// </summary>
internal sealed partial class NetnsLab : IDisposable
{
    private readonly List<string> _namespaces = [];
    private readonly string _prefix = "vgl" + Random.Shared.Next(0x1000, 0xFFFF).ToString("x", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Why the lab cannot run here, or null.</summary>
    public static string? Unavailable { get; } = Probe();

    public NetnsLab(params (string Name, string Address, string Mac)[] hosts)
    {
        try
        {
            var sw = Add("sw");
            // No multicast snooping: Linux bridges flood only ff02::1 without an MLD querier, so ff02::12 would vanish.
            Ip("-n", sw, "link", "add", "br0", "type", "bridge", "mcast_snooping", "0");
            Ip("-n", sw, "link", "set", "br0", "up");
            var i = 0;
            foreach (var (name, address, mac) in hosts)
            {
                var ns = Add(name);
                var port = "p" + i++;
                Ip("-n", sw, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", ns);
                Ip("-n", sw, "link", "set", port, "master", "br0", "up");
                Ip("-n", ns, "link", "set", "eth0", "address", mac);
                Ip("-n", ns, "addr", "add", address, "dev", "eth0");
                Ip("-n", ns, "link", "set", "eth0", "up");
                Ip("-n", ns, "link", "set", "lo", "up");
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The namespace name of a host.</summary>
    public string Ns(string name) => $"{_prefix}-{name}";

    private string Add(string name)
    {
        var ns = Ns(name);
        Ip("netns", "add", ns);
        _namespaces.Add(ns);
        // Link-local addresses usable at once: no duplicate address detection on a lab link.
        Run("ip", ["netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0"], check: true);
        return ns;
    }

    /// <summary>Runs a command inside a host's namespace; the exit code and stdout+stderr.</summary>
    public (int ExitCode, string Output) Exec(string name, params string[] command) =>
        Run("ip", ["netns", "exec", Ns(name), .. command], check: false);

    /// <summary>The addresses on eth0 of a host, e.g. ["10.77.0.11/24", "10.77.0.50/24"].</summary>
    public IReadOnlyList<string> Addresses(string name)
    {
        var output = Ip("-n", Ns(name), "-4", "-o", "addr", "show", "dev", "eth0");
        return AddressPattern().Matches(output).Select(m => m.Groups[1].Value).ToArray();
    }

    /// <summary>The client's ARP entry for an address ("" when none).</summary>
    public string NeighborMac(string name, string address)
    {
        var output = Ip("-n", Ns(name), "neigh", "show", address, "dev", "eth0");
        var m = LladdrPattern().Match(output);
        return m.Success ? m.Groups[1].Value : "";
    }

    /// <summary>One ping from a host; true when answered.</summary>
    public bool Ping(string name, string address) =>
        Run("ip", ["netns", "exec", Ns(name), "ping", "-c", "1", "-W", "1", address], check: false).ExitCode == 0;

    public static string Ip(params string[] args) => Run("ip", args, check: true).Output;

    public static (int ExitCode, string Output) Run(string command, string[] args, bool check)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        using var p = Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        if (!p.WaitForExit(30_000))
        {
            p.Kill(true);
        }
        var output = stdout.GetAwaiter().GetResult();
        if (check && p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{command} {string.Join(' ', args)}: exit {p.ExitCode}: {stderr}");
        }
        return (p.ExitCode, output + stderr);
    }

    public void Dispose()
    {
        foreach (var ns in Enumerable.Reverse(_namespaces))
        {
            Run("ip", ["netns", "del", ns], check: false);
        }
        _namespaces.Clear();
    }

    private static string? Probe()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "network namespaces need Linux";
        }
        if (Environment.UserName != "root")
        {
            return "network namespaces need root";
        }
        var ns = "vglprobe" + Environment.ProcessId;
        try
        {
            if (Run("ip", ["netns", "add", ns], check: false).ExitCode != 0)
            {
                return "ip netns add failed";
            }
            return null;
        }
        catch (Exception ex)
        {
            return "ip not usable: " + ex.Message;
        }
        finally
        {
            try
            {
                Run("ip", ["netns", "del", ns], check: false);
            }
            catch (System.ComponentModel.Win32Exception)
            {
            }
        }
    }

    [GeneratedRegex(@"inet (\S+)")]
    private static partial Regex AddressPattern();

    [GeneratedRegex(@"lladdr (\S+)")]
    private static partial Regex LladdrPattern();
}

/// <summary>A fact that runs only where the namespace lab can (root on Linux); skipped elsewhere.</summary>
public sealed class LabFactAttribute : FactAttribute
{
    public LabFactAttribute()
    {
        if (NetnsLab.Unavailable is { } reason)
        {
            base.Skip = reason;
        }
    }
}

/// <summary>A theory that runs only where the namespace lab can (root on Linux); skipped elsewhere.</summary>
public sealed class LabTheoryAttribute : TheoryAttribute
{
    public LabTheoryAttribute()
    {
        if (NetnsLab.Unavailable is { } reason)
        {
            Skip = reason;
        }
    }
}
