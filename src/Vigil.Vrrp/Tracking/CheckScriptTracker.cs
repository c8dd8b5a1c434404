using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Vigil.Vrrp.Tracking;

/// <summary>
/// keepalived's <c>vrrp_script</c> + <c>track_script</c>: runs a check script every interval and, with rise/fall
/// hysteresis, applies its weight to a <see cref="PriorityAdjustments"/>: a negative weight while the check fails,
/// a positive one while it succeeds (keepalived's rule). Runs on the thread pool: priority changes are not
/// time-critical, adverts are.
/// </summary>
public sealed class CheckScriptTracker : IAsyncDisposable
{
    private readonly PriorityAdjustments _target;
    private readonly string _name;
    private readonly string _script;
    private readonly int _weight;
    private readonly int _rise;
    private readonly int _fall;
    private readonly TimeSpan _interval;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private Task? _loop;
    private int _successes;
    private int _failures;

    public CheckScriptTracker(PriorityAdjustments target, string name, string script, TimeSpan interval, int weight,
        int rise = 1, int fall = 1, TimeSpan? timeout = null, TimeProvider? time = null, ILogger? logger = null)
    {
        _target = target;
        _name = "script:" + name;
        _script = script;
        _interval = interval;
        _weight = weight;
        _rise = Math.Max(rise, 1);
        _fall = Math.Max(fall, 1);
        _timeout = timeout ?? interval;
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Null before the first result, then whether the check is considered passing.</summary>
    public bool? Passing { get; private set; }

    /// <summary>Completed checks (for tests and status).</summary>
    public long Checks { get; private set; }

    public void Start() => _loop = Task.Run(() => RunAsync(_stopping.Token));

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_interval, _time);
        do
        {
            var ok = await CheckAsync(cancellationToken).ConfigureAwait(false);
            Record(ok);
            Checks++;
        }
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
    }

    private async Task<bool> CheckAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(_script) { UseShellExecute = false })!;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_timeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                process.Kill(entireProcessTree: true);
                return false; // a hung check is a failed check
            }
            return process.ExitCode == 0;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _logger.LogWarning(ex, "vrrp track script {Script} could not run", _script);
            return false;
        }
    }

    private void Record(bool ok)
    {
        if (ok)
        {
            _failures = 0;
            _successes++;
        }
        else
        {
            _successes = 0;
            _failures++;
        }
        var passing = Passing;
        if (ok && (passing is null || (passing == false && _successes >= _rise)))
        {
            passing = true;
        }
        else if (!ok && (passing is null || (passing == true && _failures >= _fall)))
        {
            passing = false;
        }
        if (passing == Passing)
        {
            return;
        }
        Passing = passing;
        _logger.LogInformation("vrrp track script {Script} now {State}", _script, passing == true ? "passing" : "failing");
        // keepalived: weight > 0 is added while passing, weight < 0 is added while failing.
        _target.Set(_name, (passing == true) == (_weight > 0) ? _weight : 0);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            try
            {
                await _loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
        _stopping.Dispose();
    }
}
