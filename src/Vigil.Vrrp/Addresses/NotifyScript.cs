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
        try
        {
            using var process = Process.Start(start)!;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            if (process.ExitCode != 0)
            {
                logger.LogWarning("vrrp {Instance}: notify script {Script} exited {Code}", instance, script, process.ExitCode);
            }
            return process.ExitCode;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(ex, "vrrp {Instance}: notify script {Script} failed", instance, script);
            return -1;
        }
    }
}
