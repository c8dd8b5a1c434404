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

    public void Release() => Record(false);

    public void Announce(CancellationToken announcing)
    {
    }

    /// <summary>The time of the last take (or release) recorded, if any.</summary>
    public long? Last(bool take) => Calls.Where(c => c.Take == take).Select(c => (long?)c.At).LastOrDefault();

    /// <summary>Whether the last call was a take: the addresses are held.</summary>
    public bool Holds => Calls.LastOrDefault() is { Take: true };

    public static long Now => Stopwatch.GetTimestamp();

    public static TimeSpan Between(long from, long to) => Stopwatch.GetElapsedTime(from, to);

    public override string ToString() =>
        string.Join(", ", Calls.Select(c => $"{(c.Take ? "take" : "release")}@{c.At / (Stopwatch.Frequency / 1000) % 100000}ms"));

    private void Record(bool take) => Calls.Enqueue((take, Now));
}
