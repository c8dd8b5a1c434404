using System.Diagnostics;

namespace Vigil.Vrrp.Addresses;

/// <summary>
/// Runs iproute2's <c>ip</c> (or <c>sysctl</c>, <c>arping</c>) and waits for it, on the actuator thread. These run
/// at startup (interface lookup, vmac creation), not on a takeover, so a process is fine here, and <c>ip</c> is what
/// operators read and trust.
/// </summary>
internal static class IpCommand
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>Runs the command; returns the exit code and stderr (or stdout with <paramref name="captureOutput"/>).</summary>
    public static (int ExitCode, string Text) Run(IReadOnlyList<string> arguments, string command = "ip", bool captureOutput = false)
    {
        var start = new ProcessStartInfo(command)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {command}");
        // Both pipes drain at once, or a full stderr could block the process before it closes stdout.
        var stderr = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{command} {string.Join(' ', arguments)}: no exit after {Timeout.TotalSeconds:0} s");
        }
        var error = stderr.GetAwaiter().GetResult().Trim();
        return (process.ExitCode, captureOutput && process.ExitCode == 0 ? output : error);
    }
}
