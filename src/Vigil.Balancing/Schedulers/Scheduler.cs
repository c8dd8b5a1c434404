namespace Vigil.Balancing.Schedulers;

/// <summary>
/// Picks one backend from the pool's current eligible set. Written by hand rather than taken from a
/// library because each algorithm is a few lines and must run allocation-free on every request.
/// </summary>
/// <remarks>
/// <see cref="Pool"/> calls <see cref="Update"/> (under its lock, rarely) whenever the eligible set
/// changes, and <see cref="Pick"/> concurrently on every request or connection. Implementations keep
/// an immutable snapshot built in <see cref="Update"/> and read it lock-free in <see cref="Pick"/>.
/// </remarks>
public abstract class Scheduler
{
    /// <summary>Replaces the eligible set; it may be empty, and then <see cref="Pick"/> returns null.</summary>
    public abstract void Update(Backend[] eligible, TimeSpan slowStart);

    /// <summary>Picks one backend of the eligible set, or null when the set is empty.</summary>
    public abstract Backend? Pick(in PickContext context);

    /// <summary>Creates the scheduler of the given kind.</summary>
    public static Scheduler Create(SchedulerKind kind) => kind switch
    {
        SchedulerKind.RoundRobin => new RoundRobinScheduler(),
        SchedulerKind.WeightedRoundRobin => new SmoothWeightedRoundRobinScheduler(),
        SchedulerKind.LeastConnections => new LeastConnectionsScheduler(),
        SchedulerKind.SourceHash => new SourceHashScheduler(),
        SchedulerKind.ConsistentHash => new ConsistentHashScheduler(),
        SchedulerKind.PowerOfTwo => new PowerOfTwoScheduler(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown scheduler"),
    };
}
