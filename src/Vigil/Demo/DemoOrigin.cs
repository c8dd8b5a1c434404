using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Vigil.Demo;

/// <summary>
/// A small built-in HTTP origin for the demo: answers every path with its own name, `/healthz` for
/// health checks, and can be stopped and started again to show a failover.
/// </summary>
public sealed class DemoOrigin : IAsyncDisposable
{
    private static readonly byte[] Padding = Encoding.ASCII.GetBytes(new string('.', 960) + "\n");
    private WebApplication? _app;

    public DemoOrigin(string name, IPEndPoint endPoint)
    {
        Name = name;
        EndPoint = endPoint;
    }

    public string Name { get; }
    public IPEndPoint EndPoint { get; }
    public bool IsRunning => _app is not null;
    /// <summary>Requests answered, health checks aside.</summary>
    public long Requests => Interlocked.Read(ref _requests);
    private long _requests;

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_app is not null) return;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(EndPoint));
        var app = builder.Build();
        var hello = Encoding.ASCII.GetBytes($"hello from {Name}\n");
        var ok = Encoding.ASCII.GetBytes("ok\n");
        app.Run(async context =>
        {
            if (context.Request.Path == "/healthz")
            {
                await context.Response.Body.WriteAsync(ok, context.RequestAborted);
                return;
            }
            Interlocked.Increment(ref _requests);
            context.Response.ContentType = "text/plain";
            context.Response.Headers["X-Origin"] = Name;
            context.Response.Headers.CacheControl = "public, max-age=5";
            context.Response.ContentLength = hello.Length + Padding.Length;
            await context.Response.Body.WriteAsync(hello, context.RequestAborted);
            await context.Response.Body.WriteAsync(Padding, context.RequestAborted);
        });
        await app.StartAsync(cancellationToken);
        _app = app;
    }

    public async Task StopAsync()
    {
        var app = Interlocked.Exchange(ref _app, null);
        if (app is null) return;
        await app.StopAsync();
        await app.DisposeAsync();
    }

    public ValueTask DisposeAsync() => new(StopAsync());
}
