using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Prometheus;
using Vigil.Balancing;
using Vigil.Hosting;

namespace Vigil.Admin;

/// <summary>
/// The admin HTTP API on its own listener: status, runtime backend states, reload, cache purge,
/// Prometheus metrics and a small status page. Loopback by default; a bearer token guards it.
/// </summary>
public sealed class AdminServer : IAsyncDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
    };

    private readonly WebApplication _app;

    public AdminServer(Daemon daemon, IPEndPoint listen, string? token, ILoggerFactory loggerFactory)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        builder.WebHost.ConfigureKestrel(k => k.Listen(listen));
        var app = builder.Build();

        if (!string.IsNullOrEmpty(token))
        {
            var expected = "Bearer " + token;
            app.Use(async (context, next) =>
            {
                if (context.Request.Path.StartsWithSegments("/api") &&
                    !string.Equals(context.Request.Headers.Authorization, expected, StringComparison.Ordinal))
                {
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    await context.Response.WriteAsync("admin token required\n");
                    return;
                }
                await next(context);
            });
        }

        app.MapGet("/api/status", () => Results.Json(daemon.BuildStatus(), Json));

        app.MapPost("/api/pools/{pool}/backends/{address}/{action}", (string pool, string address, string action) =>
        {
            AdminState? state = action switch
            {
                "enable" => AdminState.Enabled,
                "disable" => AdminState.Disabled,
                "drain" => AdminState.Draining,
                _ => null,
            };
            if (state is null) return Results.Text($"unknown action '{action}': use enable, disable or drain\n", statusCode: 400);
            return daemon.SetBackendState(pool, Uri.UnescapeDataString(address), state.Value) switch
            {
                BackendStateResult.Done => Results.Json(new { pool, backend = address, admin = action }, Json),
                BackendStateResult.NoPool => Results.Text($"no pool '{pool}'\n", statusCode: 404),
                _ => Results.Text($"no backend '{address}' in pool '{pool}'\n", statusCode: 404),
            };
        });

        app.MapPost("/api/reload", async () =>
        {
            var report = await daemon.ReloadAsync();
            return Results.Json(report, Json, statusCode: report.Ok ? 200 : 422);
        });

        app.MapPost("/api/cache/purge", (HttpRequest request) =>
        {
            var url = request.Query["url"].ToString();
            var prefix = request.Query["prefix"].ToString();
            if (string.IsNullOrEmpty(url) == string.IsNullOrEmpty(prefix))
                return Results.Text("give exactly one of ?url= or ?prefix=\n", statusCode: 400);
            var purged = daemon.PurgeCache(url, prefix);
            return Results.Json(new { purged }, Json);
        });

        app.MapMetrics("/metrics");
        app.MapGet("/", () => Results.Content(StatusPage.Html, "text/html; charset=utf-8"));
        _app = app;
    }

    public Task StartAsync(CancellationToken cancellationToken) => _app.StartAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>The outcome of a runtime admin-state change.</summary>
public enum BackendStateResult { Done, NoPool, NoBackend }
