namespace Vigil.Balancing.Schedulers;

/// <summary>Plain round-robin: each eligible backend in turn, weights ignored.</summary>
public sealed class RoundRobinScheduler : Scheduler
{
    private Backend[] _eligible = [];
    private uint _next;

    public override void Update(Backend[] eligible, TimeSpan slowStart) => Volatile.Write(ref _eligible, eligible);

    public override Backend? Pick(in PickContext context)
    {
        var set = Volatile.Read(ref _eligible);
        if (set.Length == 0) return null;
        var i = Interlocked.Increment(ref _next) - 1;
        return set[(int)(i % (uint)set.Length)];
    }
}
