namespace Vigil.Balancing.Health;

/// <summary>
/// What Vigil believes of a backend's health from active probes: up or down, why, and since when.
/// Rise/fall hysteresis: <c>Rise</c> consecutive successes bring it up, <c>Fall</c> consecutive failures take it down.
/// Pure: time is passed in, so transitions are tested without sleeping.
/// </summary>
public sealed class HealthState
{
    private readonly int _rise;
    private readonly int _fall;
    private int _successes;
    private int _failures;

    public HealthState(int rise, int fall, bool initiallyUp, DateTimeOffset now)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rise, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(fall, 1);
        _rise = rise;
        _fall = fall;
        IsUp = initiallyUp;
        Reason = initiallyUp ? "no check yet" : "waiting for first check";
        Since = now;
    }

    public bool IsUp { get; private set; }
    public string Reason { get; private set; }
    public DateTimeOffset Since { get; private set; }
    /// <summary>Result of the most recent probe, for /api/status and metrics.</summary>
    public string LastResult { get; private set; } = "none";

    /// <summary>Records one probe result; returns true when the state changed.</summary>
    public bool Record(bool success, string detail, DateTimeOffset now)
    {
        lock (this)
        {
            LastResult = detail;
            if (success)
            {
                _failures = 0;
                if (IsUp) { Reason = detail; return false; }
                if (++_successes < _rise) return false;
                IsUp = true;
            }
            else
            {
                _successes = 0;
                if (!IsUp) { Reason = detail; return false; }
                if (++_failures < _fall) return false;
                IsUp = false;
            }
            Reason = detail;
            Since = now;
            _successes = 0;
            _failures = 0;
            return true;
        }
    }
}
