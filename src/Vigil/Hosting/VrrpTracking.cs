using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Vigil.Config;
using Vigil.Vrrp.Tracking;

namespace Vigil.Hosting;

/// <summary>
/// Feeds one VRRP instance's <see cref="PriorityAdjustments"/> from what it tracks, with keepalived's
/// weight rule: a negative weight is applied while the tracked thing fails, a positive one while it is
/// fine. Pools fail when none of their backends is eligible; interfaces when not operationally up;
/// scripts when they exit non-zero or outlive their interval.
/// </summary>
public sealed partial class VrrpTracking : IAsyncDisposable
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);
    private readonly VrrpTrackConfig _track;
    private readonly Func<Generation> _current;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<string, bool> _lastFailing = new(StringComparer.Ordinal);
    private Task _loop = Task.CompletedTask;

    public VrrpTracking(VrrpTrackConfig track, Func<Generation> current, ILogger logger)
    {
        _track = track;
        _current = current;
        _logger = logger;
    }

    public PriorityAdjustments Adjustments { get; } = new();

    /// <summary>Evaluates once synchronously (so the first advert already carries the right priority), then keeps polling.</summary>
    public async Task StartAsync()
    {
        await EvaluateAsync(DateTime.MinValue, new Dictionary<VrrpTrackScript, DateTime>(), _stop.Token);
        _loop = RunAsync(_stop.Token);
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var scriptDue = new Dictionary<VrrpTrackScript, DateTime>();
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(PollInterval, cancellationToken);
                await EvaluateAsync(DateTime.UtcNow, scriptDue, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested) { return; }
        }
    }

    private async Task EvaluateAsync(DateTime now, Dictionary<VrrpTrackScript, DateTime> scriptDue, CancellationToken cancellationToken)
    {
        var generation = _current();
        foreach (var (name, weight) in _track.Pools)
        {
            var failing = !generation.Pools.TryGetValue(name, out var pool) || pool.Eligible.Length == 0;
            Apply("pool:" + name, failing, weight);
        }
        foreach (var (name, weight) in _track.Interfaces)
            Apply("interface:" + name, !InterfaceIsUp(name), weight);
        foreach (var script in _track.Scripts)
        {
            if (scriptDue.TryGetValue(script, out var due) && now < due) continue;
            scriptDue[script] = now + script.Interval;
            Apply("script:" + script.Path, !await ScriptSucceedsAsync(script, cancellationToken), script.Weight);
        }
    }

    private void Apply(string source, bool failing, int weight)
    {
        Adjustments.Set(source, weight < 0 ? (failing ? weight : 0) : (failing ? 0 : weight));
        if (_lastFailing.TryGetValue(source, out var was) && was == failing) return;
        _lastFailing[source] = failing;
        LogTracked(_logger, source, failing ? "failing" : "ok", Adjustments.PriorityAdjustment);
    }

    /// <summary>Linux reports loopback and some virtual links as "unknown"; only "down"-like states fail.</summary>
    private static bool InterfaceIsUp(string name)
    {
        try
        {
            var state = File.ReadAllText($"/sys/class/net/{name}/operstate").Trim();
            return state is "up" or "unknown";
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }

    private static async Task<bool> ScriptSucceedsAsync(VrrpTrackScript script, CancellationToken cancellationToken)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(script.Path) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true });
            if (process is null) return false;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(script.Interval);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                return false;
            }
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }

    [LoggerMessage(LogLevel.Information, "vrrp tracking {Source} is {State}; priority adjustment now {Adjustment}")]
    private static partial void LogTracked(ILogger logger, string source, string state, int adjustment);
}
