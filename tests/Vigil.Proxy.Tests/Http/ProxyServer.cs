using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Vigil.Balancing;
using Vigil.Proxy.Http;
using Vigil.Proxy.Http.Routing;
using Vigil.Proxy.Http.Upstream;

namespace Vigil.Proxy.Tests.Http;

/// <summary>
/// An <see cref="HttpProxy"/> mounted on a real Kestrel listener on 127.0.0.1 and a free port, the
/// way the host mounts it, with a real <see cref="HttpClient"/> pointed at it.
/// </summary>
internal sealed class ProxyServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly IUpstream _upstream;

    private ProxyServer(WebApplication app, IUpstream upstream, HttpProxy proxy, HttpClient client)
    {
        _app = app;
        _upstream = upstream;
        Proxy = proxy;
        Client = client;
    }

    public HttpProxy Proxy { get; }
    public HttpClient Client { get; }
    public IUpstream Upstream => _upstream;

    /// <param name="upstream">The upstream to use (owned by the server); by default the one VIGIL_UPSTREAM names, so the whole suite can run over either.</param>
    /// <param name="serverLogs">Receives Kestrel's own logs (none by default), for tests of what reaches an operator.</param>
    public static async Task<ProxyServer> StartAsync(RouteTable routes, IEnumerable<Pool> pools, HttpProxyOptions? options = null, ILogger? logger = null,
        IUpstream? upstream = null, ILoggerProvider? serverLogs = null)
    {
        upstream ??= UpstreamFactory.Create(UpstreamFactory.FromEnvironment());
        var proxy = new HttpProxy(routes, pools.ToDictionary(p => p.Name), upstream, logger ?? NullLogger.Instance,
            options ?? new HttpProxyOptions { ListenerName = "test" });
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (serverLogs is not null) builder.Logging.AddProvider(serverLogs);
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.Run(proxy.InvokeAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        // A generous bound: a hang fails the test instead of blocking the run.
        var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(20) };
        return new ProxyServer(app, upstream, proxy, client);
    }

    /// <summary>One route taking everything to <paramref name="pool"/>.</summary>
    public static Task<ProxyServer> StartAsync(Pool pool, HttpProxyOptions? options = null, ILogger? logger = null, IUpstream? upstream = null,
        ILoggerProvider? serverLogs = null) =>
        StartAsync(new RouteTable([new RouteOptions { Name = "all", Pool = pool.Name }]), [pool], options, logger, upstream, serverLogs);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(cts.Token);
        await _app.DisposeAsync();
        (_upstream as IDisposable)?.Dispose();
    }
}

/// <summary>Builds pools over origins and finds ports nobody listens on.</summary>
internal static class TestPools
{
    public static Pool Create(string name, IEnumerable<string> addresses, Func<PoolOptions, PoolOptions>? configure = null,
        SchedulerKind scheduler = SchedulerKind.RoundRobin, IReadOnlyList<int>? weights = null)
    {
        var backends = addresses.Select((a, i) => new BackendOptions(a, IPEndPoint.Parse(a), weights?[i] ?? 1)).ToArray();
        var options = new PoolOptions { Name = name, Backends = backends, Scheduler = scheduler };
        return new Pool(configure is null ? options : configure(options), TimeProvider.System);
    }

    public static Pool Create(string name, params Origin[] origins) => Create(name, origins.Select(o => o.Address));

    /// <summary>An address on loopback where connections are refused (the port was just released).</summary>
    public static string DeadAddress()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"127.0.0.1:{port}";
    }
}
