using Microsoft.Extensions.Logging;
using Vigil.Config;
using Vigil.Vrrp.Tracking;

namespace Vigil.Hosting;

/// <summary>
/// Feeds one VRRP instance's <see cref="PriorityAdjustments"/> from what it tracks, with keepalived's
/// weight rule (a negative weight applies while the tracked thing fails, a positive one while it is
/// fine). Pools are the host's concept, so pool tracking lives here: a pool fails when none of its
/// backends is eligible. Interfaces and check scripts use the Vigil.Vrrp trackers.
/// </summary>
public sealed partial class VrrpTracking : IAsyncDisposable
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);
    private readonly VrrpTrackConfig _track;
    private readonly Func<Generation> _current;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<string, bool> _lastFailing = new(StringComparer.Ordinal);
    private readonly List<IAsyncDisposable> _trackers = [];
    private Task _loop = Task.CompletedTask;

    public VrrpTracking(VrrpTrackConfig track, Func<Generation> current, ILogger logger)
    {
        _track = track;
        _current = current;
        _logger = logger;
    }

    public PriorityAdjustments Adjustments { get; } = new();

    /// <summary>Evaluates pools once synchronously (so the first advert already carries the right priority), then keeps polling.</summary>
    public Task StartAsync()
    {
        EvaluatePools();
        foreach (var (name, weight) in _track.Interfaces)
        {
            var tracker = new InterfaceTracker(Adjustments, name, weight);
            tracker.Start();
            _trackers.Add(tracker);
        }
        foreach (var script in _track.Scripts)
        {
            var tracker = new CheckScriptTracker(Adjustments, Path.GetFileName(script.Path), script.Path, script.Interval, script.Weight, logger: _logger);
            tracker.Start();
            _trackers.Add(tracker);
        }
        _loop = RunAsync(_stop.Token);
        return Task.CompletedTask;
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(PollInterval, cancellationToken);
                EvaluatePools();
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested) { return; }
        }
    }

    private void EvaluatePools()
    {
        var generation = _current();
        foreach (var (name, weight) in _track.Pools)
        {
            var failing = !generation.Pools.TryGetValue(name, out var pool) || pool.Eligible.Length == 0;
            var source = "pool:" + name;
            Adjustments.Set(source, weight < 0 ? (failing ? weight : 0) : (failing ? 0 : weight));
            if (_lastFailing.TryGetValue(source, out var was) && was == failing) continue;
            _lastFailing[source] = failing;
            LogTracked(_logger, source, failing ? "failing" : "ok", Adjustments.PriorityAdjustment);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        foreach (var tracker in _trackers) await tracker.DisposeAsync();
        _stop.Dispose();
    }

    [LoggerMessage(LogLevel.Information, "vrrp tracking {Source} is {State}; priority adjustment now {Adjustment}")]
    private static partial void LogTracked(ILogger logger, string source, string state, int adjustment);
}
