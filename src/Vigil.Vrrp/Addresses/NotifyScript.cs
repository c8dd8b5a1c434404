using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Vigil.Vrrp.Election;

namespace Vigil.Vrrp.Addresses;

/// <summary>
/// Runs the operator's notify script on each transition with keepalived's arguments
/// (<c>INSTANCE name MASTER|BACKUP|FAULT|STOP priority</c>), so existing scripts keep working.
/// </summary>
public static class NotifyScript
{
    /// <summary>How long a script may run before it is killed.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static string StateWord(VrrpState state) => state switch
    {
        VrrpState.Master => "MASTER",
        VrrpState.Backup => "BACKUP",
        _ => "STOP",
    };

    public static async Task<int> RunAsync(string script, string instance, VrrpState state, byte priority, ILogger logger, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(script) { UseShellExecute = false };
        start.ArgumentList.Add("INSTANCE");
        start.ArgumentList.Add(instance);
        start.ArgumentList.Add(StateWord(state));
        start.ArgumentList.Add(priority.ToString(CultureInfo.InvariantCulture));
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "vrrp {Instance}: notify script {Script} failed to start", instance, script);
            return -1;
        }
        using (process)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Timeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // A hung script must not pile up behind the next transitions' scripts.
                process.Kill(entireProcessTree: true);
                if (cancellationToken.IsCancellationRequested)
                {
                    throw;
                }
                logger.LogWarning("vrrp {Instance}: notify script {Script} killed after {Seconds} s", instance, script, Timeout.TotalSeconds);
                return -1;
            }
            if (process.ExitCode != 0)
            {
                logger.LogWarning("vrrp {Instance}: notify script {Script} exited {Code}", instance, script, process.ExitCode);
            }
            return process.ExitCode;
        }
    }
}
