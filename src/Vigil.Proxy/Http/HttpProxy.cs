using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Vigil.Balancing;
using Vigil.Caching;
using Vigil.Proxy.Http.Routing;
using Vigil.Proxy.Http.Upstream;
using Yarp.ReverseProxy.Forwarder;

namespace Vigil.Proxy.Http;

/// <summary>
/// One L7 listener's data path, mounted on Kestrel as its request delegate: route match → optional
/// cache step → pick a backend → forward → passive health, with one retry on another backend for
/// idempotent requests that failed before any response byte, and short 404/502/503/504 answers.
/// Immutable: a reload builds a new proxy over the new table and pools and swaps it in.
/// </summary>
public sealed partial class HttpProxy
{
    private readonly RouteTable _routes;
    private readonly RouteTarget[] _targets;
    private readonly IUpstream _upstream;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ForwardedHeaders _forwarded;
    private readonly string _listener;

    /// <param name="routes">The listener's compiled routes (their <see cref="Route.CacheStep"/> already set).</param>
    /// <param name="pools">Every pool by name; each route's pool must be present.</param>
    /// <param name="upstream">How requests reach a backend (<see cref="YarpUpstream"/>).</param>
    /// <param name="logger">Failures are logged at Debug (per request); unexpected errors at Error.</param>
    /// <param name="options">Listener name and trusted proxy networks.</param>
    /// <param name="time">Clock for schedulers (slow start, ejection expiry); the system clock by default.</param>
    public HttpProxy(RouteTable routes, IReadOnlyDictionary<string, Pool> pools, IUpstream upstream, ILogger logger,
        HttpProxyOptions options, TimeProvider? time = null)
    {
        _routes = routes;
        _upstream = upstream;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _forwarded = new ForwardedHeaders(options.TrustedProxies);
        _listener = options.ListenerName;
        Options = options;
        _targets = new RouteTarget[routes.Routes.Count];
        foreach (var route in routes.Routes)
        {
            if (!pools.TryGetValue(route.Options.Pool, out var pool))
                throw new ArgumentException($"route {route.Name} names pool {route.Options.Pool}, which does not exist", nameof(pools));
            _targets[route.Index] = new RouteTarget(this, route, pool);
        }
    }

    public HttpProxyOptions Options { get; }

    /// <summary>Answers one request; never throws (errors become 502 or an aborted connection).</summary>
    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var route = _routes.Match(context.Request);
        var target = route is null ? null : _targets[route.Index];
        try
        {
            if (ConnectionHeader.FirstProtected(context.Request.Headers.Connection) is { } nominated)
            {
                // RFC 9110 §7.6.1: a field meant for every recipient is no connection option. A client that
                // nominates framing, Host or a forwarding field is attempting a desync: refused before the
                // cache or a backend sees it.
                LogNominationRefused(_logger, nominated, context.Connection.RemoteIpAddress);
                await ErrorResponse.WriteAsync(context, StatusCodes.Status400BadRequest);
            }
            else if (target is null) await ErrorResponse.WriteAsync(context, StatusCodes.Status404NotFound);
            else if (target.Route.CacheStep is { } cacheStep) await cacheStep(context, target.Origin);
            else await ForwardAsync(context, target);
        }
        catch (Exception ex) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client left; nothing to answer and nothing the backend did wrong.
            LogClientGone(_logger, ex.GetType().Name);
        }
        catch (Exception ex)
        {
            LogUnexpected(_logger, _listener, ex);
            await TryAnswerAsync(context, StatusCodes.Status502BadGateway);
        }
        finally
        {
            Record(context, target, started);
        }
    }

    /// <summary>Forwards to the route's pool: the step after the cache, or the whole job without one.</summary>
    /// <remarks>A pooled ValueTask builder: the state machine of this per-request method is reused, not allocated.</remarks>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask ForwardAsync(HttpContext context, RouteTarget target)
    {
        if (IsTunnelRequest(context))
        {
            // RFC 9110 §9.3.6: CONNECT asks for a tunnel, which a reverse proxy does not open; 501 (§15.6.2)
            // rather than 405, which would have to list the methods the backend allows.
            await ErrorResponse.WriteAsync(context, StatusCodes.Status501NotImplemented);
            return;
        }
        var pool = target.Pool;
        var pick = new PickContext(ClientHash.Of(context.Connection.RemoteIpAddress), _time.GetUtcNow());
        var backend = pool.Pick(pick);
        if (backend is null)
        {
            // Nothing eligible: answer at once rather than queue (RFC 9110 §15.6.4).
            await ErrorResponse.WriteAsync(context, StatusCodes.Status503ServiceUnavailable);
            return;
        }
        _forwarded.Apply(context);
        var retriesLeft = IsRetryable(context.Request) ? pool.Options.Retries : 0;
        while (true)
        {
            UpstreamResult result;
            using (backend.BeginRequest())
                result = await _upstream.ForwardAsync(context, backend, pool.Options, CancellationToken.None);
            // The cache in front stores a body only when told it arrived whole (shared instances: no allocation).
            if (target.Route.CacheStep is not null) context.Features.Set<IOriginOutcomeFeature>(OriginOutcomeFeature.Of(ForCache(result.Outcome)));

            if (result.Outcome == UpstreamOutcome.Forwarded)
            {
                pool.ReportResult(backend, success: true);
                return;
            }
            if (result.Outcome == UpstreamOutcome.ClientAborted)
            {
                // Still connected, so not a departure: Kestrel refused the body (bad chunk framing, a chunk size
                // past 64 bits, a size over its limit). Say so, or Kestrel ends the exchange with its default 200.
                if (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
                    await TryAnswerAsync(context, (result.Error as BadHttpRequestException)?.StatusCode ?? StatusCodes.Status400BadRequest);
                return;
            }
            if (result.Outcome == UpstreamOutcome.Refused)
            {
                LogRefused(_logger, context.Request.Method, result.Error?.Message);
                await ErrorResponse.WriteAsync(context, StatusCodes.Status502BadGateway);
                return;
            }

            ReportFailure(pool, backend, result);
            if (result.Outcome == UpstreamOutcome.FailedBeforeResponse) backend.Counters.CountConnectFailure();
            var protocolError = IsProtocolError(result.Error);
            HttpMetrics.UpstreamFailures.Add(1, new("pool", pool.Name), new("backend", backend.Address),
                new("reason", protocolError ? "protocol" : Reason(result.Outcome)));
            // A backend breaking HTTP is a fault of the backend the operator must see: one line with the
            // reason, never the exception's stack trace. Network failures stay at Debug (health reports them).
            if (protocolError) LogProtocolError(_logger, backend.Address, pool.Name, result.Error!.Message);
            else LogUpstreamFailure(_logger, pool.Name, backend.Address, result.Outcome, result.Error?.Message);

            // Only failures before any response byte are retried. Not timeouts: the backend may still
            // be working on the request, and a second copy doubles the load on a struggling pool
            // (HAProxy's default `retry-on conn-failure` makes the same choice).
            if (result.Outcome == UpstreamOutcome.FailedBeforeResponse && retriesLeft-- > 0 && !context.Response.HasStarted
                && pool.PickOther(pick, backend) is { } other)
            {
                HttpMetrics.Retries.Add(1, new("listener", _listener), new("pool", pool.Name));
                // The failed attempt left a 502 and an error feature behind; the next one starts clean.
                context.Response.Clear();
                context.Features.Set<IForwarderErrorFeature>(null);
                backend = other;
                continue;
            }
            await ErrorResponse.WriteAsync(context, result.Outcome == UpstreamOutcome.TimedOut
                ? StatusCodes.Status504GatewayTimeout
                : StatusCodes.Status502BadGateway);
            return;
        }
    }

    /// <summary>Passive health: counts the failure and logs the one that ejects the backend (once per ejection).</summary>
    private void ReportFailure(Pool pool, Backend backend, UpstreamResult result)
    {
        // Pool.ReportResult, spelled out to learn whether this very failure ejected the backend.
        if (!backend.ReportResult(success: false, pool.Options.Outlier)) return;
        pool.Refresh();
        var outlier = pool.Options.Outlier!;
        LogEjected(_logger, backend.Address, pool.Name, outlier.EjectionTime, outlier.ConsecutiveFailures, result.Outcome);
    }

    /// <summary>
    /// A request may go to a second backend only when repeating it is harmless (RFC 9110 §9.2.2
    /// idempotent methods) and there is no body that the first attempt may have consumed.
    /// </summary>
    private static bool IsRetryable(HttpRequest request)
    {
        var method = request.Method;
        if (!(HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method)
              || HttpMethods.IsPut(method) || HttpMethods.IsDelete(method) || HttpMethods.IsTrace(method)))
            return false;
        var bodyDetection = request.HttpContext.Features.Get<IHttpRequestBodyDetectionFeature>();
        return bodyDetection is null ? request.ContentLength is null or 0 : !bodyDetection.CanHaveBody;
    }

    /// <summary>A plain CONNECT; HTTP/2's extended CONNECT (RFC 8441 WebSockets) is forwarded.</summary>
    private static bool IsTunnelRequest(HttpContext context) =>
        HttpMethods.IsConnect(context.Request.Method) && context.Features.Get<IHttpExtendedConnectFeature>() is not { IsExtendedConnect: true };

    /// <summary>The forwarder's outcome in the cache's words; only <see cref="UpstreamOutcome.Forwarded"/> is a complete response.</summary>
    private static OriginOutcome ForCache(UpstreamOutcome outcome) => outcome switch
    {
        UpstreamOutcome.Forwarded => OriginOutcome.Complete,
        UpstreamOutcome.FailedAfterResponse => OriginOutcome.Truncated,
        UpstreamOutcome.TimedOut => OriginOutcome.TimedOut,
        UpstreamOutcome.ClientAborted => OriginOutcome.Aborted,
        _ => OriginOutcome.Failed,
    };

    /// <summary>A response that broke HTTP/1.1: Vigil's own parser said so, or HttpClient's (through YARP).</summary>
    private static bool IsProtocolError(Exception? error) =>
        error is UpstreamProtocolException || error is HttpRequestException { HttpRequestError: HttpRequestError.InvalidResponse }
        || error?.InnerException is HttpRequestException { HttpRequestError: HttpRequestError.InvalidResponse };

    private static string Reason(UpstreamOutcome outcome) => outcome switch
    {
        UpstreamOutcome.FailedBeforeResponse => "connect",
        UpstreamOutcome.TimedOut => "timeout",
        _ => "response",
    };

    private static async Task TryAnswerAsync(HttpContext context, int status)
    {
        try { await ErrorResponse.WriteAsync(context, status); }
        catch (Exception) { context.Abort(); } // the client is gone or the response broke; nothing left to say
    }

    private void Record(HttpContext context, RouteTarget? target, long started)
    {
        var status = context.Response.StatusCode;
        var tags = new System.Diagnostics.TagList
        {
            { "listener", _listener },
            { "route", target?.Route.Name ?? "" },
            { "pool", target?.Pool.Name ?? "" },
        };
        HttpMetrics.Duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
        tags.Add("status", HttpMetrics.StatusClass(status));
        HttpMetrics.Requests.Add(1, tags);
    }

    /// <summary>A route resolved against the pools, with its delegate to the pool built once.</summary>
    private sealed class RouteTarget
    {
        public RouteTarget(HttpProxy proxy, Route route, Pool pool)
        {
            Route = route;
            Pool = pool;
            Origin = context => proxy.ForwardAsync(context, this).AsTask();
        }

        public Route Route { get; }
        public Pool Pool { get; }
        /// <summary>What the cache step calls on a miss or revalidation.</summary>
        public RequestDelegate Origin { get; }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "upstream {Pool}/{Backend} failed: {Outcome} {Detail}")]
    private static partial void LogUpstreamFailure(ILogger logger, string pool, string backend, UpstreamOutcome outcome, string? detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "backend {Address} of pool {Pool} ejected for {EjectFor} after {Failures} consecutive failures (last: {Outcome})")]
    private static partial void LogEjected(ILogger logger, string address, string pool, TimeSpan ejectFor, int failures, UpstreamOutcome outcome);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Method} request not forwardable: {Detail}")]
    private static partial void LogRefused(ILogger logger, string method, string? detail);

    [LoggerMessage(EventId = 9102, Level = LogLevel.Warning, Message = "backend {Backend} of pool {Pool} broke HTTP/1.1: {Reason}; connection closed, client answered 502 (or cut if the response had begun)")]
    private static partial void LogProtocolError(ILogger logger, string backend, string pool, string reason);

    [LoggerMessage(EventId = 9101, Level = LogLevel.Debug, Message = "request from {Client} refused with 400: its Connection header nominates {Field}, which no connection option may remove")]
    private static partial void LogNominationRefused(ILogger logger, string field, System.Net.IPAddress? client);

    [LoggerMessage(Level = LogLevel.Debug, Message = "client went away ({Error})")]
    private static partial void LogClientGone(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "listener {Listener}: unexpected error while proxying")]
    private static partial void LogUnexpected(ILogger logger, string listener, Exception exception);
}
