using System.Diagnostics;

namespace Vigil.Vrrp.Addresses;

/// <summary>
/// Runs iproute2's <c>ip</c>. Address changes happen once per failover, not per packet, so a process is
/// fine here, and <c>ip</c> is what operators read and trust; netlink by hand would buy nothing measurable.
/// </summary>
internal static class IpCommand
{
    /// <summary>Runs the command; returns the exit code and stderr (or stdout with <paramref name="captureOutput"/>).</summary>
    public static async Task<(int ExitCode, string Text)> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken,
        string command = "ip", bool captureOutput = false)
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
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        var output = await stdout.ConfigureAwait(false);
        var error = (await stderr.ConfigureAwait(false)).Trim();
        return (process.ExitCode, captureOutput && process.ExitCode == 0 ? output : error);
    }
}
