using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using Vigil.Balancing;
using Vigil.Config;
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

    /// <summary>Seconds; from sub-millisecond cache hits to slow origins.</summary>
    private static readonly double[] LatencyBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    private readonly WebApplication _app;
    private volatile AdminAccess _access;

    public AdminServer(Daemon daemon, AdminConfig admin, ILoggerFactory loggerFactory)
    {
        _access = new AdminAccess(admin);
        var listen = admin.ListenEndPoint;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        builder.WebHost.ConfigureKestrel(k => k.Listen(listen));
        // OpenTelemetry aggregates measurements in place (no allocation per request for a few tags),
        // unlike prometheus-net's meter adapter, which copies and sorts the tags of every measurement.
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter("Vigil.*", "System.Runtime", "Microsoft.AspNetCore.Server.Kestrel")
            .AddView(instrument => instrument.Name.EndsWith("_seconds", StringComparison.Ordinal)
                ? new ExplicitBucketHistogramConfiguration { Boundaries = LatencyBuckets }
                : null)
            .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0));
        var app = builder.Build();

        app.Use(async (context, next) =>
        {
            switch (_access.Decide(context.Request))
            {
                case AdminVerdict.Allow:
                    await next(context);
                    return;
                case AdminVerdict.Unauthorized:
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    context.Response.Headers.WWWAuthenticate = AdminAccess.Challenges;
                    await context.Response.WriteAsync("admin token required\n");
                    return;
                default:
                    context.Response.StatusCode = StatusCodes.Status403Forbidden;
                    await context.Response.WriteAsync("refused: the admin API answers its own origin on a loopback name only\n");
                    return;
            }
        });

        app.MapGet("/api/status", () => Results.Json(daemon.BuildStatus(), Json));
        // The running configuration with every default filled in; tokens and passwords redacted.
        app.MapGet("/api/config", () => Results.Content(Config.EffectiveConfig.Tree(daemon.Current.Config).ToJsonString(), "application/json"));

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

        app.MapPrometheusScrapingEndpoint("/metrics");
        app.MapGet("/", () => Results.Content(StatusPage.Html, "text/html; charset=utf-8"));
        _app = app;
    }

    /// <summary>A reload's admin section: the token and <c>metrics_public</c> change at once (the listen address needs a restart).</summary>
    public void Apply(AdminConfig admin) => _access = new AdminAccess(admin);

    public Task StartAsync(CancellationToken cancellationToken) => _app.StartAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>The outcome of a runtime admin-state change.</summary>
public enum BackendStateResult { Done, NoPool, NoBackend }
