using System.Collections.Concurrent;
using System.Net;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Vigil.Balancing;
using Yarp.ReverseProxy.Forwarder;

namespace Vigil.Proxy.Http.Upstream;

/// <summary>
/// The upstream over YARP's <see cref="IHttpForwarder"/> (its forwarding core only, not its routing
/// pipeline, which costs too much per request). One tuned <see cref="SocketsHttpHandler"/> per
/// distinct connect timeout, shared by the pools that use it so they share pooled connections.
/// </summary>
public sealed class YarpUpstream : IUpstream, IDisposable
{
    private readonly IHttpForwarder _forwarder;
    private readonly IDisposable? _services;
    private readonly ConcurrentDictionary<TimeSpan, HttpMessageInvoker> _invokers = new();
    private readonly ConcurrentDictionary<TimeSpan, ForwarderRequestConfig> _configs = new();
    private readonly ConditionalWeakTable<Backend, string> _prefixes = new();

    /// <summary>Uses a forwarder from the host's container (<c>services.AddHttpForwarder()</c>).</summary>
    public YarpUpstream(IHttpForwarder forwarder) => _forwarder = forwarder;

    private YarpUpstream(ServiceProvider services)
    {
        _services = services;
        _forwarder = services.GetRequiredService<IHttpForwarder>();
    }

    /// <summary>Creates the upstream with its own small container for YARP's forwarder.</summary>
    public static YarpUpstream Create(ILoggerFactory? loggerFactory = null)
    {
        var services = new ServiceCollection()
            .AddSingleton(loggerFactory ?? NullLoggerFactory.Instance)
            .AddLogging() // keeps the factory above (TryAdd) and adds ILogger<T>
            .AddHttpForwarder()
            .BuildServiceProvider();
        return new YarpUpstream(services);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<UpstreamResult> ForwardAsync(HttpContext context, Backend backend, PoolOptions pool, CancellationToken cancellationToken)
    {
        var error = await _forwarder.SendAsync(context, Prefix(backend), Invoker(pool.ConnectTimeout), Config(pool.ResponseTimeout),
            HttpTransformer.Empty, cancellationToken);
        if (error == ForwarderError.None) return UpstreamResult.Forwarded;
        var exception = context.Features.Get<IForwarderErrorFeature>()?.Exception;
        return new UpstreamResult(Classify(error, exception, context), exception);
    }

    private static UpstreamOutcome Classify(ForwarderError error, Exception? exception, HttpContext context) => error switch
    {
        // A connect timeout surfaces as a cancellation with a TimeoutException inside; nothing was
        // sent, so it is a connect failure, not a slow response.
        ForwarderError.RequestTimedOut when exception?.InnerException is TimeoutException => UpstreamOutcome.FailedBeforeResponse,
        ForwarderError.RequestTimedOut or ForwarderError.UpgradeActivityTimeout => UpstreamOutcome.TimedOut,
        ForwarderError.Request or ForwarderError.RequestBodyDestination => UpstreamOutcome.FailedBeforeResponse,
        // Thrown while building the outgoing request (a method or header HttpClient will not send):
        // the backend never saw it, so it must not count against the backend's passive health.
        ForwarderError.RequestCreation => UpstreamOutcome.Refused,
        ForwarderError.ResponseHeaders or ForwarderError.ResponseBodyDestination
            or ForwarderError.UpgradeRequestDestination or ForwarderError.UpgradeResponseDestination => UpstreamOutcome.FailedAfterResponse,
        // Canceled by our token (not the client) means the caller gave up: count it as a timeout.
        ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.ResponseBodyCanceled
            or ForwarderError.UpgradeRequestCanceled or ForwarderError.UpgradeResponseCanceled
            => context.RequestAborted.IsCancellationRequested ? UpstreamOutcome.ClientAborted : UpstreamOutcome.TimedOut,
        _ => UpstreamOutcome.ClientAborted, // RequestBodyClient, ResponseBodyClient, Upgrade*Client
    };

    private string Prefix(Backend backend)
    {
        if (_prefixes.TryGetValue(backend, out var prefix)) return prefix;
        // IPEndPoint.ToString brackets IPv6 literals ("[::1]:8080"), as a URI authority needs.
        return _prefixes.GetValue(backend, static b => $"http://{b.EndPoint}/");
    }

    private HttpMessageInvoker Invoker(TimeSpan connectTimeout) =>
        _invokers.TryGetValue(connectTimeout, out var invoker) ? invoker : _invokers.GetOrAdd(connectTimeout, CreateInvoker);

    private ForwarderRequestConfig Config(TimeSpan responseTimeout) =>
        _configs.TryGetValue(responseTimeout, out var config) ? config : _configs.GetOrAdd(responseTimeout, static t => new ForwarderRequestConfig
        {
            // YARP resets this idle timer on every read and write, so it bounds the wait for the
            // first response byte and any stall while the body streams.
            ActivityTimeout = t,
            // Backends are plain http: HTTP/1.1 exactly, no h2c upgrade attempt.
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        });

    private static HttpMessageInvoker CreateInvoker(TimeSpan connectTimeout) => new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        EnableMultipleHttp2Connections = true,
        ConnectTimeout = connectTimeout,
        // No trace-context headers added per request; the backend sees the client's own headers.
        ActivityHeadersPropagator = null,
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
    }, disposeHandler: true);

    public void Dispose()
    {
        foreach (var invoker in _invokers.Values) invoker.Dispose();
        _invokers.Clear();
        _services?.Dispose();
    }
}
