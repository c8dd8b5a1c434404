namespace Vigil.Db.Tests;

/// <summary>Bounded polling for states that real servers reach a moment later (a replica reconnecting, a row arriving).</summary>
public static class Eventually
{
    /// <summary>
    /// Evaluates <paramref name="attempt"/> every <paramref name="every"/> until it returns a value
    /// <paramref name="done"/> accepts, or <paramref name="within"/> passes; returns the last value either way,
    /// so the caller's assertion reports what was actually seen.
    /// </summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> attempt, Func<T, bool> done, TimeSpan within, TimeSpan? every = null)
    {
        var deadline = DateTime.UtcNow + within;
        var pause = every ?? TimeSpan.FromMilliseconds(200);
        while (true)
        {
            var value = await attempt();
            if (done(value) || DateTime.UtcNow >= deadline) return value;
            await Task.Delay(pause);
        }
    }
}
