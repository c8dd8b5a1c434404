using Vigil.Caching.Stores;

namespace Vigil.Caching;

/// <summary>How an origin fetch ended.</summary>
internal enum FetchKind
{
    /// <summary>Failed before deciding anything (exception, cancelled).</summary>
    Failed,
    /// <summary>Passed to the client and not stored.</summary>
    Passed,
    /// <summary>Passed to the client and stored as <see cref="FetchResult.Entry"/>.</summary>
    Stored,
    /// <summary>304 refreshed the stored response; the client still needs an answer from <see cref="FetchResult.Entry"/>.</summary>
    Validated,
    /// <summary>The origin failed; the client still needs the stale <see cref="FetchResult.Entry"/>.</summary>
    StaleOnError,
    /// <summary>A 304 that does not select the stored response (RFC 9111 §4.3.4); fetch again unconditionally.</summary>
    UnusableNotModified,
}

/// <summary>
/// The outcome of one origin fetch, shared with collapsed waiters through <see cref="Entry"/> (null: nothing
/// shareable). <see cref="ForClient"/> is the requesting client's own answer when it differs from the shared
/// one: a 304's Set-Cookie or private update, which only that client may see.
/// </summary>
internal readonly record struct FetchResult(FetchKind Kind, CacheEntry? Entry, int OriginStatus, CacheEntry? ForClient = null);
