namespace Vigil.Balancing.Schedulers;

/// <summary>How busy a backend is relative to its share, for least-connections and power-of-two.</summary>
internal static class Load
{
    /// <summary>
    /// (in flight + 1) / effective weight. The +1 makes weight decide between idle backends (an idle
    /// weight-2 server is preferred to an idle weight-1 one), as HAProxy's leastconn does.
    /// </summary>
    public static double PerWeight(Backend backend, TimeSpan slowStart, DateTimeOffset now) =>
        (backend.Counters.Active + 1) / backend.EffectiveWeight(slowStart, now);
}
