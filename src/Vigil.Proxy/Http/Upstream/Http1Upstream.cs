using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;
using Vigil.Balancing;
using Vigil.Proxy.Http.Upstream.Http1;

namespace Vigil.Proxy.Http.Upstream;

/// <summary>
/// A lean HTTP/1.1 forwarder over pooled keep-alive sockets per backend: writes the request head
/// straight from Kestrel's request, parses the response head from a pooled buffer and streams the
/// body, with no HttpRequestMessage/HttpResponseMessage, header collections or content streams in
/// between. Whatever it does not handle goes to the <see cref="YarpUpstream"/> it wraps.
/// </summary>
/// <remarks>
/// Hand-written because HttpClient's object model (request and response messages, header stores,
/// Uri, content and stream wrappers, several state machines) costs per request what a proxy that
/// already holds Kestrel's parsed request does not need: measured through HttpProxy, about 2.7 KB
/// allocated and 10% more CPU per request than this path (bench/Vigil.L7Bench/RESULTS.md). Most of
/// the remaining cost is the kernel's (loopback TCP, epoll, thread hand-offs), shared by both paths.
/// </remarks>
public sealed class Http1Upstream : IUpstream, IDisposable
{
    /// <summary>Idle connections kept per backend; more are closed when returned.</summary>
    public const int MaxIdlePerBackend = 256;
    /// <summary>An idle connection older than this is closed rather than reused (backends close at 60-130 s).</summary>
    public static readonly TimeSpan MaxIdleTime = TimeSpan.FromSeconds(50);

    private readonly IUpstream _fallback;
    private readonly ConditionalWeakTable<Backend, Target> _targets = new();

    /// <param name="fallback">Carries what this upstream does not: upgrades (WebSocket), HTTP/2 and HTTP/3 requests, Expect: 100-continue.</param>
    public Http1Upstream(IUpstream fallback) => _fallback = fallback;

    public ValueTask<UpstreamResult> ForwardAsync(HttpContext context, Backend backend, PoolOptions pool, CancellationToken cancellationToken)
    {
        if (!TryFrame(context, out var framing, out var rawTarget))
            return _fallback.ForwardAsync(context, backend, pool, cancellationToken);
        var target = TargetOf(backend);
        var replayable = framing == RequestFraming.None && IsIdempotent(context.Request.Method);
        return Http1Exchange.RunAsync(context, target.Pool.Rent(), target.Pool, backend, target.Host, pool, framing, rawTarget,
            replayable, cancellationToken);
    }

    /// <summary>
    /// Decides whether this upstream handles the request, and how its body is framed.
    /// </summary>
    private static bool TryFrame(HttpContext context, out RequestFraming framing, out string rawTarget)
    {
        framing = RequestFraming.None;
        rawTarget = "";
        var request = context.Request;
        var protocol = request.Protocol;
        // HTTP/2 and HTTP/3 requests (extended CONNECT WebSockets, trailers, no raw HTTP/1 target)
        // are YARP's; so are upgrades (the connection becomes a tunnel) and Expect: 100-continue,
        // where YARP waits for the backend's verdict before reading the client's body.
        if (!HttpProtocol.IsHttp11(protocol) && !HttpProtocol.IsHttp10(protocol)) return false;
        if (HttpMethods.IsConnect(request.Method)) return false;
        var features = context.Features;
        if (features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true }) return false;
        var headers = request.Headers;
        if (headers.ContainsKey(HeaderNames.Expect)) return false;
        var target = features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(target)) return false;
        // RFC 9112 §3.2: origin-form ("/path?q") or asterisk-form go as sent; an absolute-form target
        // (a client talking to Vigil as to a forward proxy) is rebuilt as origin-form for the backend.
        rawTarget = target[0] == '/' || target == "*" ? target : request.PathBase + request.Path + request.QueryString;

        var bodyDetection = features.Get<IHttpRequestBodyDetectionFeature>();
        var canHaveBody = bodyDetection?.CanHaveBody ?? request.ContentLength > 0;
        if (!canHaveBody) return true;
        framing = request.ContentLength is > 0 && !headers.ContainsKey(HeaderNames.TransferEncoding)
            ? RequestFraming.ContentLength
            : RequestFraming.Chunked;
        return true;
    }

    private static bool IsIdempotent(string method) =>
        HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method)
        || HttpMethods.IsPut(method) || HttpMethods.IsDelete(method) || HttpMethods.IsTrace(method);

    private Target TargetOf(Backend backend) =>
        _targets.TryGetValue(backend, out var target) ? target : _targets.GetValue(backend, static b => new Target(b.EndPoint.ToString()));

    /// <summary>Connections opened to <paramref name="backend"/> so far; for tests of reuse.</summary>
    internal long ConnectionsOpened(Backend backend) => TargetOf(backend).Pool.Opened;

    /// <summary>Idle connections kept for <paramref name="backend"/>.</summary>
    internal int IdleConnections(Backend backend) => TargetOf(backend).Pool.IdleCount;

    public void Dispose()
    {
        foreach (var (_, target) in _targets) target.Pool.Clear();
        (_fallback as IDisposable)?.Dispose();
    }

    /// <summary>Per backend: its idle connections and the Host to send when the client sent none.</summary>
    private sealed class Target(string host)
    {
        public string Host { get; } = host;
        public Http1ConnectionPool Pool { get; } = new(MaxIdlePerBackend, MaxIdleTime);
    }
}
