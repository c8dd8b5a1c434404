using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Vigil.Balancing.Health;

/// <summary>
/// Runs a pool's active health check: probes every backend each interval (±10% jitter), enforces
/// the timeout, feeds results to each backend's <see cref="HealthState"/> (rise/fall), and on a
/// change logs one line and refreshes the pool's eligible set.
/// </summary>
/// <remarks>
/// One loop per backend rather than one per pool: a slow or timing-out backend never delays the
/// probes of the others. Time comes from the <see cref="TimeProvider"/>, so tests can drive it.
/// Owns the probe and disposes it when stopped.
/// </remarks>
public sealed partial class HealthProber : IAsyncDisposable
{
    private readonly Pool _pool;
    private readonly HealthCheckOptions _options;
    private readonly IHealthProbe _probe;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private Task _running = Task.CompletedTask;
    private int _state; // 0 new, 1 started, 2 stopped

    public HealthProber(Pool pool, IHealthProbe probe, TimeProvider? time = null, ILogger? logger = null)
    {
        _pool = pool;
        _options = pool.Options.Health
            ?? throw new ArgumentException($"pool '{pool.Name}' has no health check", nameof(pool));
        _probe = probe;
        _time = time ?? pool.Time;
        _logger = logger ?? NullLogger.Instance;
    }

    public Pool Pool => _pool;

    /// <summary>Starts probing; returns at once.</summary>
    public void Start()
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0) throw new InvalidOperationException("prober already started");
        BalancingMetrics.Track(_pool);
        var loops = new Task[_pool.Backends.Count];
        for (var i = 0; i < loops.Length; i++) loops[i] = RunAsync(_pool.Backends[i], _stop.Token);
        _running = Task.WhenAll(loops);
    }

    /// <summary>Stops probing and waits for probes in flight to end (they are cancelled).</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _state, 2) == 2) return;
        await _stop.CancelAsync().ConfigureAwait(false);
        await _running.ConfigureAwait(false);
        BalancingMetrics.Untrack(_pool);
        _stop.Dispose();
        switch (_probe)
        {
            case IAsyncDisposable d: await d.DisposeAsync().ConfigureAwait(false); break;
            case IDisposable d: d.Dispose(); break;
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    private async Task RunAsync(Backend backend, CancellationToken stop)
    {
        try
        {
            // Spread the first probes over one interval so a pool of many backends (or many pools
            // started together) does not probe in bursts.
            await Task.Delay(_options.Interval * Random.Shared.NextDouble(), _time, stop).ConfigureAwait(false);
            while (true)
            {
                try
                {
                    await ProbeOnceAsync(backend, stop).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException || !stop.IsCancellationRequested)
                {
                    // A throwing EligibleChanged subscriber or logger must not end this backend's
                    // checks for good: log it and probe again next interval.
                    LogLoopError(_logger, e, backend.Address, _pool.Name);
                }
                await Task.Delay(Jittered(_options.Interval), _time, stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    /// <summary>Probes one backend once and records the result (internal so tests can drive single probes).</summary>
    internal async Task ProbeOnceAsync(Backend backend, CancellationToken stop)
    {
        var result = await ProbeWithTimeoutAsync(backend, stop).ConfigureAwait(false);
        Interlocked.Increment(ref result.Healthy ? ref backend.Counters._checksOk : ref backend.Counters._checksFailed);
        BalancingMetrics.RecordCheck(_pool, backend, result.Healthy);
        if (!backend.Health.Record(result.Healthy, result.Detail, _time.GetUtcNow())) return;
        if (result.Healthy) LogUp(_logger, backend.Address, _pool.Name);
        else LogDown(_logger, backend.Address, _pool.Name, result.Detail);
        _pool.Refresh();
    }

    private async Task<ProbeResult> ProbeWithTimeoutAsync(Backend backend, CancellationToken stop)
    {
        using var timeout = new CancellationTokenSource(_options.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stop, timeout.Token);
        try
        {
            // WaitAsync enforces the timeout even on a probe that ignores its token.
            return await _probe.ProbeAsync(backend.EndPoint, linked.Token).AsTask()
                .WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            return new ProbeResult(false, $"timeout after {_options.Timeout.TotalMilliseconds:0}ms");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A probe that throws is a failed check, never a dead prober.
            return new ProbeResult(false, ProbeFailure.Describe(e));
        }
    }

    private static TimeSpan Jittered(TimeSpan interval) => interval * (0.9 + 0.2 * Random.Shared.NextDouble());

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "backend {Address} in pool {Pool} is down: {Reason}")]
    private static partial void LogDown(ILogger logger, string address, string pool, string reason);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "backend {Address} in pool {Pool} is up")]
    private static partial void LogUp(ILogger logger, string address, string pool);

    [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "health check of backend {Address} in pool {Pool} failed unexpectedly")]
    private static partial void LogLoopError(ILogger logger, Exception exception, string address, string pool);
}
