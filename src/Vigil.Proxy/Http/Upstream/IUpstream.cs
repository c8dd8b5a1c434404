using Microsoft.AspNetCore.Http;
using Vigil.Balancing;

namespace Vigil.Proxy.Http.Upstream;

/// <summary>
/// Forwards one request to one chosen backend and streams the response back: the narrow seam
/// between Vigil's routing, pools and health (which decide where) and the HTTP client (which
/// carries bytes). An interface so a faster upstream path can replace <see cref="YarpUpstream"/>
/// without touching pools, health or routing.
/// </summary>
/// <remarks>
/// Contract: the request's headers are final (X-Forwarded-* already set by the proxy) and are
/// copied as they are, Host included. On a failure before any response byte the implementation
/// leaves <see cref="HttpResponse.HasStarted"/> false so the caller can retry or answer; it never
/// writes an error body itself and never throws for network errors or timeouts. It observes
/// <see cref="HttpContext.RequestAborted"/> itself (a client that leaves ends the exchange, with
/// <see cref="UpstreamOutcome.ClientAborted"/>); <c>cancellationToken</c> is only an extra reason to
/// stop, so the proxy passes none and saves a linked registration per request.
/// </remarks>
public interface IUpstream
{
    ValueTask<UpstreamResult> ForwardAsync(HttpContext context, Backend backend, PoolOptions pool, CancellationToken cancellationToken);
}

/// <summary>How one forwarding attempt ended.</summary>
public enum UpstreamOutcome
{
    /// <summary>
    /// The backend's response was relayed in full (whatever its status code): every byte its framing announced,
    /// the last chunk or all of Content-Length. The only outcome a cache may store (<see cref="Vigil.Caching.IOriginOutcomeFeature"/>).
    /// </summary>
    Forwarded,
    /// <summary>No response byte came back (connection refused or reset, connect timeout); safe to retry an idempotent request without a body.</summary>
    FailedBeforeResponse,
    /// <summary>The backend failed after its response began (bad headers, truncated body).</summary>
    FailedAfterResponse,
    /// <summary>The backend did not answer within the pool's response timeout.</summary>
    TimedOut,
    /// <summary>The client went away or sent a broken body: not the backend's fault.</summary>
    ClientAborted,
    /// <summary>The request could not be turned into an upstream request (nothing was sent): not the backend's fault, not retried.</summary>
    Refused,
}

/// <summary>The outcome of one forwarding attempt, with the error behind a failure for logs.</summary>
public readonly record struct UpstreamResult(UpstreamOutcome Outcome, Exception? Error = null)
{
    public static UpstreamResult Forwarded => new(UpstreamOutcome.Forwarded);
}
