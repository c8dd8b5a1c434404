using System.Net;
using Vigil.Balancing.Health;

namespace Vigil.Balancing;

/// <summary>
/// One server in a pool: its address and weight, what the operator wants of it (admin state),
/// what Vigil believes of it (health, outlier ejection) and its counters.
/// </summary>
public sealed class Backend
{
    private readonly TimeProvider _time;
    private int _consecutiveFailures;
    private long _ejectedUntilTicks;
    private long _eligibleSinceTicks;
    private volatile AdminState _adminState;

    public Backend(BackendOptions options, HealthState health, TimeProvider time)
    {
        Options = options;
        Health = health;
        _time = time;
        _adminState = options.AdminState;
        _eligibleSinceTicks = long.MinValue; // eligible from the start: no slow start at boot
    }

    public BackendOptions Options { get; }
    public string Address => Options.Address;
    public IPEndPoint EndPoint => Options.EndPoint;
    public int Weight => Options.Weight;
    public bool IsBackup => Options.Backup;
    public HealthState Health { get; }
    public BackendCounters Counters { get; } = new();

    public AdminState AdminState
    {
        get => _adminState;
        internal set => _adminState = value;
    }

    /// <summary>Passive health: ejected after consecutive failures until this time.</summary>
    public DateTimeOffset? EjectedUntil
    {
        get
        {
            var ticks = Interlocked.Read(ref _ejectedUntilTicks);
            return ticks == 0 ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
        }
    }

    public bool IsEjected(DateTimeOffset now) => Interlocked.Read(ref _ejectedUntilTicks) > now.UtcTicks;

    /// <summary>Takes new work: enabled, healthy and not ejected.</summary>
    public bool IsEligible(DateTimeOffset now) =>
        _adminState == AdminState.Enabled && Health.IsUp && !IsEjected(now);

    /// <summary>The word the status page shows: disabled, draining, ejected, down or up.</summary>
    public string StateName(DateTimeOffset now) => _adminState switch
    {
        AdminState.Disabled => "disabled",
        AdminState.Draining => "draining",
        _ when !Health.IsUp => "down",
        _ when IsEjected(now) => "ejected",
        _ => "up",
    };

    /// <summary>
    /// Weight in effect now: ramps linearly over <paramref name="slowStart"/> after the backend
    /// became eligible again, so a server that just came back is not flooded (like HAProxy's slowstart).
    /// </summary>
    public double EffectiveWeight(TimeSpan slowStart, DateTimeOffset now)
    {
        if (slowStart <= TimeSpan.Zero) return Weight;
        var since = Interlocked.Read(ref _eligibleSinceTicks);
        if (since == long.MinValue) return Weight;
        var elapsed = now.UtcTicks - since;
        if (elapsed >= slowStart.Ticks) return Weight;
        var fraction = Math.Max(elapsed, 0) / (double)slowStart.Ticks;
        // Never zero: a backend at weight 0 would never be picked and never prove itself.
        return Math.Max(Weight * fraction, Weight * 0.05);
    }

    /// <summary>Marks the moment the backend became eligible again, to start slow start.</summary>
    internal void MarkEligibleSince(DateTimeOffset now) => Interlocked.Exchange(ref _eligibleSinceTicks, now.UtcTicks);

    /// <summary>Starts one request or connection; dispose the lease when it ends.</summary>
    public BackendLease BeginRequest()
    {
        Interlocked.Increment(ref Counters._active);
        Interlocked.Increment(ref Counters._requests);
        return new BackendLease(this);
    }

    internal void EndRequest() => Interlocked.Decrement(ref Counters._active);

    /// <summary>
    /// Passive health: a forwarding result. Returns true when this failure ejected the backend.
    /// </summary>
    public bool ReportResult(bool success, OutlierOptions? outlier)
    {
        if (success)
        {
            if (Volatile.Read(ref _consecutiveFailures) != 0) Interlocked.Exchange(ref _consecutiveFailures, 0);
            return false;
        }
        Interlocked.Increment(ref Counters._failures);
        if (outlier is null) return false;
        if (Interlocked.Increment(ref _consecutiveFailures) < outlier.ConsecutiveFailures) return false;
        Interlocked.Exchange(ref _consecutiveFailures, 0);
        var now = _time.GetUtcNow();
        Interlocked.Exchange(ref _ejectedUntilTicks, (now + outlier.EjectionTime).UtcTicks);
        return true;
    }
}
