using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Vigil.Balancing.Tests.Health;

/// <summary>
/// A real Kestrel origin on loopback for probe tests: answers every request with the status and
/// body set on it, records the Host header, and can be stopped and started again on the same port.
/// </summary>
internal sealed class HttpOrigin : IAsyncDisposable
{
    private WebApplication? _app;

    public int Status { get; set; } = 200;
    public string Body { get; set; } = "ok";
    public string? LastHost { get; private set; }
    public string? LastPath { get; private set; }
    public int Port { get; private set; }
    public IPEndPoint EndPoint => new(IPAddress.Loopback, Port);

    public static async Task<HttpOrigin> StartAsync()
    {
        var origin = new HttpOrigin();
        await origin.StartAsync(port: 0);
        return origin;
    }

    /// <summary>Starts (again) on <paramref name="port"/>; 0 picks a free one.</summary>
    public async Task StartAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        app.Run(async context =>
        {
            LastHost = context.Request.Host.Value;
            LastPath = context.Request.Path.Value;
            context.Response.StatusCode = Status;
            await context.Response.WriteAsync(Body);
        });
        await app.StartAsync();
        Port = new Uri(app.Urls.First()).Port;
        _app = app;
    }

    public async Task StopAsync()
    {
        if (_app is null) return;
        await _app.StopAsync();
        await _app.DisposeAsync();
        _app = null;
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
