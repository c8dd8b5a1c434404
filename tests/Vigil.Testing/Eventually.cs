namespace Vigil.Testing;

/// <summary>
/// The one bounded wait of the test suites, for states a real server or thread reaches a moment
/// later (a replica reconnecting, a backend leaving the pool, a counter moving). Bounded in time and
/// in count: it never hangs a run, and it returns what it last saw so the assertion reports it.
/// </summary>
public static class Eventually
{
    /// <summary>How long a wait lasts unless told: long enough for a loaded CI machine, short enough to fail fast.</summary>
    public static readonly TimeSpan DefaultWithin = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan DefaultEvery = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// Evaluates <paramref name="attempt"/> every <paramref name="every"/> until <paramref name="done"/>
    /// accepts its value or <paramref name="within"/> passes; returns the last value either way.
    /// </summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> attempt, Func<T, bool> done, TimeSpan? within = null, TimeSpan? every = null)
    {
        var deadline = DateTime.UtcNow + (within ?? DefaultWithin);
        var pause = every ?? DefaultEvery;
        while (true)
        {
            var value = await attempt();
            if (done(value) || DateTime.UtcNow >= deadline) return value;
            await Task.Delay(pause);
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds; true when it did within the time, false when it never did.</summary>
    public static async Task<bool> TrueAsync(Func<bool> condition, TimeSpan? within = null, TimeSpan? every = null)
        => await UntilAsync(() => Task.FromResult(condition()), static held => held, within, every);

    /// <summary>Waits until <paramref name="condition"/> holds and fails the test with <paramref name="what"/> when it never does.</summary>
    public static async Task AssertAsync(Func<bool> condition, string what, TimeSpan? within = null)
    {
        if (!await TrueAsync(condition, within)) Xunit.Assert.Fail($"never happened within {(within ?? DefaultWithin).TotalSeconds:0.#} s: {what}");
    }
}
