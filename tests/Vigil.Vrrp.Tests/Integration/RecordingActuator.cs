using System.Collections.Concurrent;
using System.Diagnostics;
using Vigil.Vrrp.Addresses;

namespace Vigil.Vrrp.Tests.Integration;

/// <summary>
/// An address actuator that records when it was told to take and release, on one shared monotonic clock
/// (<see cref="Stopwatch"/> ticks), so tests can order the calls of two instances.
/// </summary>
internal sealed class RecordingActuator : IVirtualAddressActuator
{
    public ConcurrentQueue<(bool Take, long At)> Calls { get; } = new();

    public void Take() => Record(true);

    public void Release()
    {
        if (BlockNextRelease is { } gate)
        {
            BlockNextRelease = null;
            gate.Wait(TimeSpan.FromSeconds(10));
        }
        Record(false);
    }

    /// <summary>Whether the instance may take on its timer thread (as the interface actuators do once ready).</summary>
    public bool TakesInline { get; init; }

    /// <summary>When set, the next release waits for this gate (an address thread busy with a slow release).</summary>
    public ManualResetEventSlim? BlockNextRelease { get; set; }

    /// <summary>The thread each take and release ran on, in order.</summary>
    public ConcurrentQueue<string?> Threads { get; } = new();

    public AnnounceOptions Announcing { get; init; } = new();

    private int _announces;

    /// <summary>How many announcement rounds the instance has sent so far.</summary>
    public int Announces => Volatile.Read(ref _announces);

    public void Announce() => Interlocked.Increment(ref _announces);

    /// <summary>The time of the last take (or release) recorded, if any.</summary>
    public long? Last(bool take) => Calls.Where(c => c.Take == take).Select(c => (long?)c.At).LastOrDefault();

    /// <summary>Whether the last call was a take: the addresses are held.</summary>
    public bool Holds => Calls.LastOrDefault() is { Take: true };

    public static long Now => Stopwatch.GetTimestamp();

    public static TimeSpan Between(long from, long to) => Stopwatch.GetElapsedTime(from, to);

    public override string ToString() =>
        string.Join(", ", Calls.Select(c => $"{(c.Take ? "take" : "release")}@{c.At / (Stopwatch.Frequency / 1000) % 100000}ms"));

    private void Record(bool take)
    {
        Threads.Enqueue(Thread.CurrentThread.Name);
        Calls.Enqueue((take, Now));
    }
}
