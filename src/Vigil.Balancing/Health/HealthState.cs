namespace Vigil.Balancing.Health;

/// <summary>
/// What Vigil believes of a backend's health from active probes: up or down, why, and since when.
/// Rise/fall hysteresis: <c>Rise</c> consecutive successes bring it up, <c>Fall</c> consecutive failures take it down.
/// Pure: time is passed in, so transitions are tested without sleeping.
/// </summary>
public sealed class HealthState
{
    private readonly Lock _gate = new();
    private readonly int _rise;
    private readonly int _fall;
    private int _successes;
    private int _failures;
    // Up, reason and since are read together by the data path and /api/status on other threads;
    // one immutable view swapped atomically means no reader sees "up" with a stale reason, nor a
    // torn DateTimeOffset.
    private View _view;

    public HealthState(int rise, int fall, bool initiallyUp, DateTimeOffset now)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rise, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(fall, 1);
        _rise = rise;
        _fall = fall;
        _view = new View(initiallyUp, initiallyUp ? "no check yet" : "waiting for first check", now, "none");
    }

    public int Rise => _rise;
    public int Fall => _fall;
    public bool IsUp => Volatile.Read(ref _view).IsUp;
    public string Reason => Volatile.Read(ref _view).Reason;
    public DateTimeOffset Since => Volatile.Read(ref _view).Since;
    /// <summary>Result of the most recent probe, for /api/status and metrics.</summary>
    public string LastResult => Volatile.Read(ref _view).LastResult;

    /// <summary>Records one probe result; returns true when the state changed.</summary>
    public bool Record(bool success, string detail, DateTimeOffset now)
    {
        lock (_gate)
        {
            var view = _view;
            if (success)
            {
                _failures = 0;
                if (view.IsUp || ++_successes < _rise)
                {
                    // No change of state. While up the reason follows the latest success; while
                    // down it keeps the failure that took the backend down.
                    Publish(view.IsUp ? view with { Reason = detail, LastResult = detail } : view with { LastResult = detail });
                    return false;
                }
            }
            else
            {
                _successes = 0;
                if (!view.IsUp || ++_failures < _fall)
                {
                    Publish(!view.IsUp ? view with { Reason = detail, LastResult = detail } : view with { LastResult = detail });
                    return false;
                }
            }
            _successes = 0;
            _failures = 0;
            Publish(new View(success, detail, now, detail));
            return true;
        }
    }

    private void Publish(View view) => Volatile.Write(ref _view, view);

    private sealed record View(bool IsUp, string Reason, DateTimeOffset Since, string LastResult);
}
