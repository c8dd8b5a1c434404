using Vigil.Balancing.Health;
using Vigil.Balancing.Schedulers;

namespace Vigil.Balancing;

/// <summary>
/// Backends behind one scheduler and one health check. Keeps a snapshot of the backends that may
/// take new work (primaries when any is eligible, else backups) and rebuilds it only when a state
/// changes, so picking a backend costs one scheduler call.
/// </summary>
public sealed class Pool
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private Backend[] _eligible = [];
    private HashSet<Backend> _eligibleSet = [];
    private long _nextEjectionExpiryTicks = long.MaxValue;
    private volatile bool _hasEligiblePrimary;

    public Pool(PoolOptions options, TimeProvider time, Pool? previous = null)
    {
        Options = options;
        _time = time;
        Scheduler = Scheduler.Create(options.Scheduler);
        var now = time.GetUtcNow();
        var backends = new Backend[options.Backends.Count];
        for (var i = 0; i < backends.Length; i++)
        {
            var wanted = options.Backends[i];
            // A reload keeps health, counters and in-flight leases of unchanged backends.
            var kept = previous?.Find(wanted.Address);
            backends[i] = kept is not null && kept.Options == wanted && previous!.Options.Health == options.Health
                ? kept
                : new Backend(wanted, NewHealthState(options.Health, now), time);
        }
        Backends = backends;
        Refresh();
    }

    public PoolOptions Options { get; }
    public string Name => Options.Name;
    public IReadOnlyList<Backend> Backends { get; }
    public Scheduler Scheduler { get; }
    /// <summary>The clock the pool judges ejections by (health probers and metrics use it too).</summary>
    public TimeProvider Time => _time;

    /// <summary>Raised after the eligible set changed (health, admin state, ejection).</summary>
    public event Action<Pool>? EligibleChanged;

    /// <summary>Backends that may take new work now.</summary>
    public ReadOnlySpan<Backend> Eligible => Volatile.Read(ref _eligible);

    /// <summary>True when at least one primary backend is eligible (tracking reads this).</summary>
    public bool HasEligiblePrimary => _hasEligiblePrimary;

    public Backend? Find(string address)
    {
        foreach (var b in Backends)
            if (string.Equals(b.Address, address, StringComparison.OrdinalIgnoreCase)) return b;
        return null;
    }

    /// <summary>Picks a backend for a new request or connection; null when none is eligible.</summary>
    public Backend? Pick(in PickContext context)
    {
        // An ejection ended: bring the backend back. Only the thread that wins the exchange
        // refreshes, so a burst of requests at the expiry does not queue on the pool's lock.
        var expiry = Interlocked.Read(ref _nextEjectionExpiryTicks);
        if (context.Now.UtcTicks >= expiry
            && Interlocked.CompareExchange(ref _nextEjectionExpiryTicks, long.MaxValue, expiry) == expiry)
            Refresh();
        return Scheduler.Pick(context);
    }

    /// <summary>
    /// Picks a backend other than <paramref name="exclude"/> (a retry after a failure); null when
    /// no other is eligible.
    /// </summary>
    public Backend? PickOther(in PickContext context, Backend exclude)
    {
        var eligible = Eligible;
        if (eligible.Length == 0 || (eligible.Length == 1 && eligible[0] == exclude)) return null;
        for (var attempt = 0; attempt < 4; attempt++)
        {
            var b = Scheduler.Pick(new PickContext(context.Hash + (ulong)attempt + 1, context.Now));
            if (b is not null && b != exclude) return b;
        }
        foreach (var b in eligible)
            if (b != exclude) return b;
        return null;
    }

    /// <summary>Sets a backend's admin state; returns false when the address is not in this pool.</summary>
    public bool SetAdminState(string address, AdminState state)
    {
        var backend = Find(address);
        if (backend is null) return false;
        backend.AdminState = state;
        Refresh();
        return true;
    }

    /// <summary>Passive health result from the data path; ejects and refreshes when needed.</summary>
    public void ReportResult(Backend backend, bool success)
    {
        if (backend.ReportResult(success, Options.Outlier)) Refresh();
    }

    /// <summary>Recomputes the eligible set; call after any health or admin change.</summary>
    public void Refresh()
    {
        bool changed;
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            var primaries = new List<Backend>(Backends.Count);
            var backups = new List<Backend>();
            var nextExpiry = long.MaxValue;
            foreach (var b in Backends)
            {
                if (b.EjectedUntil is { } until && until > now) nextExpiry = Math.Min(nextExpiry, until.UtcTicks);
                if (!b.IsEligible(now)) continue;
                (b.IsBackup ? backups : primaries).Add(b);
            }
            _hasEligiblePrimary = primaries.Count > 0;
            var eligible = (primaries.Count > 0 ? primaries : backups).ToArray();
            var set = new HashSet<Backend>(eligible);
            foreach (var b in eligible)
                if (!_eligibleSet.Contains(b) && _eligibleSet.Count + _eligible.Length > 0) b.MarkEligibleSince(now);
            // Only a real change is announced: an empty pool refreshed again is no news (it used to
            // raise the event on every refresh while empty).
            changed = !set.SetEquals(_eligibleSet);
            _eligibleSet = set;
            Scheduler.Update(eligible, Options.SlowStart);
            Volatile.Write(ref _eligible, eligible);
            Interlocked.Exchange(ref _nextEjectionExpiryTicks, nextExpiry);
        }
        if (changed) EligibleChanged?.Invoke(this);
    }

    private static HealthState NewHealthState(HealthCheckOptions? health, DateTimeOffset now) =>
        // Like HAProxy, a checked backend starts up and must fail `fall` probes to go down, so a
        // restart of Vigil does not empty every pool while the first probes run.
        new(health?.Rise ?? 1, health?.Fall ?? 1, initiallyUp: true, now);
}
