namespace Vigil.Caching.Rules;

/// <summary>What a cache may do with a stored response that matches a request (RFC 9111 §4).</summary>
public enum ReuseVerdict
{
    /// <summary>Fresh and acceptable to the request: serve it.</summary>
    Fresh,
    /// <summary>Stale, but the request's max-stale accepts it (RFC 9111 §5.2.1.2).</summary>
    StaleAccepted,
    /// <summary>Stale: validate it, or serve stale only where stale-while-revalidate/stale-if-error/grace allow.</summary>
    Stale,
    /// <summary>The request asks for validation (no-cache, max-age, min-fresh, Pragma).</summary>
    RequestValidation,
    /// <summary>The response requires validation on every use (unqualified no-cache, RFC 9111 §5.2.2.4).</summary>
    ResponseValidation,
}
