namespace Vigil.Caching.Rules;

/// <summary>Why a response may or may not be stored by a shared cache (RFC 9111 §3).</summary>
public enum StoreVerdict
{
    Storable,
    /// <summary>The request method is not one this cache stores (only GET is).</summary>
    Method,
    /// <summary>The status code is not final, not understood, or partial content.</summary>
    Status,
    /// <summary>no-store in the request (RFC 9111 §5.2.1.5).</summary>
    RequestNoStore,
    /// <summary>no-store in the response (RFC 9111 §5.2.2.5).</summary>
    NoStore,
    /// <summary>Unqualified private: a shared cache must not store it (RFC 9111 §5.2.2.7).</summary>
    Private,
    /// <summary>The request had Authorization and the response does not allow sharing (RFC 9111 §3.5).</summary>
    Authorization,
    /// <summary>No explicit freshness, not heuristically cacheable and not public (RFC 9111 §3).</summary>
    NoFreshness,
    /// <summary><c>Vary: *</c> can never be matched (RFC 9111 §4.1), storing it is pointless.</summary>
    VaryStar,
    /// <summary>Set-Cookie present and the cache is not configured to store it.</summary>
    SetCookie,
    /// <summary>Larger than the per-object budget.</summary>
    TooLarge,
    /// <summary>The response could not be evaluated (its fields broke a rule's parsing): passed on, never stored.</summary>
    Malformed,
}
