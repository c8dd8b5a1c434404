using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Vigil.Tests.Lab;

/// <summary>
/// A throwaway layer-2 segment in network namespaces: a bridge in its own namespace and one namespace per
/// host, each with an eth0 on the bridge. Created by the test, deleted on dispose (after the processes the
/// test started inside are gone); nothing touches the host's own network. Copied in its minimal form from
/// Vigil.Vrrp.Tests' NetnsLab so that this project does not depend on another test project.
/// </summary>
internal sealed partial class Netns : IDisposable
{
    private readonly List<string> _namespaces = [];
    private readonly string _prefix = "vgd" + Random.Shared.Next(0x1000, 0xFFFF).ToString("x", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Why the lab cannot run here, or null.</summary>
    public static string? Unavailable { get; } = Probe();

    public Netns(params (string Name, string Address, string Mac)[] hosts)
    {
        try
        {
            var sw = Add("sw");
            // No multicast snooping: without an IGMP querier a snooping bridge may stop flooding 224.0.0.18.
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
        return ns;
    }

    /// <summary>Runs a command inside a host's namespace; the exit code and stdout+stderr.</summary>
    public (int ExitCode, string Output) Exec(string name, params string[] command) =>
        Run("ip", ["netns", "exec", Ns(name), .. command], check: false);

    /// <summary>The IPv4 addresses on eth0 of a host, e.g. ["10.77.0.11/24", "10.77.0.50/24"].</summary>
    public IReadOnlyList<string> Addresses(string name)
    {
        var output = Ip("-n", Ns(name), "-4", "-o", "addr", "show", "dev", "eth0");
        return AddressPattern().Matches(output).Select(m => m.Groups[1].Value).ToArray();
    }

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
        var ns = "vgdprobe" + Environment.ProcessId;
        try
        {
            return Run("ip", ["netns", "add", ns], check: false).ExitCode != 0 ? "ip netns add failed" : null;
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
}

/// <summary>A fact that runs only where the namespace lab can (root on Linux); skipped elsewhere.</summary>
public sealed class NetnsFactAttribute : FactAttribute
{
    public NetnsFactAttribute()
    {
        if (Netns.Unavailable is { } reason)
        {
            Skip = reason;
        }
    }
}
