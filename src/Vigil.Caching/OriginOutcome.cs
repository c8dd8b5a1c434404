namespace Vigil.Caching;

/// <summary>How the origin delegate's forward of a response ended, as the forwarder saw its framing.</summary>
public enum OriginOutcome
{
    /// <summary>The delegate said nothing: the cache treats the response as incomplete.</summary>
    Unreported,
    /// <summary>Every byte the response's framing announced arrived: the last chunk, or all of Content-Length (RFC 9112 §6.3).</summary>
    Complete,
    /// <summary>The origin closed or broke the response inside its body.</summary>
    Truncated,
    /// <summary>The origin stalled past the pool's response timeout.</summary>
    TimedOut,
    /// <summary>The client went away while the response was relayed.</summary>
    Aborted,
    /// <summary>No usable response came back (connect failure, refused request).</summary>
    Failed,
}

/// <summary>
/// The channel from the origin delegate back to the cache: the forwarder (the proxy) sets it on the
/// <see cref="Microsoft.AspNetCore.Http.HttpContext"/> once the response has been relayed, and the cache
/// stores a body only when it says <see cref="OriginOutcome.Complete"/>. A response the origin cut short is
/// indistinguishable from a short one by its bytes alone (a chunked body has no length), so only the
/// forwarder, which parsed the framing, can say.
/// </summary>
public interface IOriginOutcomeFeature
{
    OriginOutcome Outcome { get; }
}

/// <summary>One immutable, shared <see cref="IOriginOutcomeFeature"/> per outcome, so reporting allocates nothing.</summary>
public sealed class OriginOutcomeFeature : IOriginOutcomeFeature
{
    private static readonly OriginOutcomeFeature[] All =
        [.. Enum.GetValues<OriginOutcome>().Select(o => new OriginOutcomeFeature(o))];

    private OriginOutcomeFeature(OriginOutcome outcome) => Outcome = outcome;

    public OriginOutcome Outcome { get; }

    public static OriginOutcomeFeature Of(OriginOutcome outcome) => All[(int)outcome];
}
