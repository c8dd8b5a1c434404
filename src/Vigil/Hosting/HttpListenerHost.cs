using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vigil.Config;
using Vigil.Proxy.Http;

namespace Vigil.Hosting;

/// <summary>
/// One <c>protocol: http</c> listener on its own Kestrel server. The server lives across reloads;
/// a reload only swaps the <see cref="HttpProxy"/> it hands requests to, so no connection is dropped.
/// </summary>
public sealed class HttpListenerHost : IListenerHost
{
    private readonly WebApplication _app;
    private HttpProxy _proxy;

    public HttpListenerHost(ListenerConfig config, HttpProxy proxy, ILoggerFactory loggerFactory)
    {
        Config = config;
        _proxy = proxy;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<ILoggerFactory>(new ListenerLoggerFactory(loggerFactory));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.KeepAliveTimeout = config.IdleTimeout > TimeSpan.Zero ? config.IdleTimeout : TimeSpan.FromSeconds(120);
            kestrel.Limits.MaxConcurrentConnections = config.MaxConnections;
            // A proxy streams bodies through; the backend decides what size it accepts.
            kestrel.Limits.MaxRequestBodySize = null;
            // Cleartext HTTP/2 needs prior knowledge, which browsers and most clients lack: HTTP/1.1 here.
            kestrel.Listen(config.ListenEndPoint, o => o.Protocols = HttpProtocols.Http1);
        });
        builder.WebHost.UseShutdownTimeout(config.DrainTimeout);
        if (InlineIo.Enabled)
            builder.WebHost.UseSockets(o => o.UnsafePreferInlineScheduling = true);
        _app = builder.Build();
        _app.Run(context => Volatile.Read(ref _proxy).InvokeAsync(context));
    }

    public ListenerConfig Config { get; private set; }

    public Task StartAsync(CancellationToken cancellationToken) => _app.StartAsync(cancellationToken);

    /// <summary>Points the listener at the next generation's proxy; requests in flight finish on the old one.</summary>
    public void Update(ListenerConfig config, Generation generation)
    {
        Config = config;
        Volatile.Write(ref _proxy, generation.HttpProxies[config.Name]);
    }

    /// <summary>
    /// Kestrel closes its socket only as part of a graceful stop; an http listener is retired only
    /// when its address leaves the config, so nothing waits to bind it.
    /// </summary>
    public void StopAccepting() { }

    /// <summary>Stops accepting and lets requests in flight finish, up to the listener's drain timeout.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
