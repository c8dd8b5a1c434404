using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Vigil.Caching.Tests.Integration;

/// <summary>A real Kestrel origin on 127.0.0.1:0 whose responses the test writes, counting requests per path.</summary>
internal sealed class TestOrigin : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, int> _counts = new();
    private int _total;

    private TestOrigin(WebApplication app) => _app = app;

    /// <summary>The test's handler; replace it at will.</summary>
    public Func<HttpContext, Task> Handler { get; set; } = ctx => Task.CompletedTask;

    /// <summary>Request headers of the last request, as received.</summary>
    public IHeaderDictionary? LastRequestHeaders { get; private set; }

    public string BaseUrl { get; private set; } = "";
    public int Total => Volatile.Read(ref _total);
    public int Count(string path) => _counts.TryGetValue(path, out var n) ? n : 0;

    public static async Task<TestOrigin> StartAsync(int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        var origin = new TestOrigin(app);
        app.Run(async ctx =>
        {
            Interlocked.Increment(ref origin._total);
            origin._counts.AddOrUpdate(ctx.Request.Path.Value ?? "/", 1, (_, n) => n + 1);
            origin.LastRequestHeaders = new HeaderDictionary(ctx.Request.Headers.ToDictionary(h => h.Key, h => h.Value));
            await origin.Handler(ctx);
        });
        await app.StartAsync();
        origin.BaseUrl = app.Urls.First();
        return origin;
    }

    public Task StopAsync() => _app.StopAsync();

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
