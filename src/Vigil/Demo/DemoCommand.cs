using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Logging;
using Vigil.Config;
using Vigil.Hosting;

namespace Vigil.Demo;

/// <summary>
/// <c>vigil demo</c>: everything on loopback with no file and no root: three origins, a balancer on
/// 127.0.0.1:8080 with health checks, the admin API on 127.0.0.1:9090, then a scripted failover.
/// </summary>
public static class DemoCommand
{
    public const string Listen = "127.0.0.1:8080";
    public const string Admin = "127.0.0.1:9090";
    public static readonly int[] OriginPorts = [8081, 8082, 8083];

    public static string ConfigText(string listen = Listen, string admin = Admin, IReadOnlyList<int>? originPorts = null) => $$"""
        node: { name: demo }
        admin: { listen: {{admin}} }
        pools:
          web:
            scheduler: round-robin
            backends:
        {{string.Join("\n", (originPorts ?? OriginPorts).Select(p => $"      - {{ address: 127.0.0.1:{p} }}"))}}
            health: { type: http, path: /healthz, expect: 200-399, interval: 500ms, timeout: 300ms, rise: 2, fall: 2 }
            outlier: { consecutive_failures: 3, eject_for: 2s }
        listeners:
          - name: www
            protocol: http
            listen: {{listen}}
            routes:
              - { match: { path_prefix: / }, pool: web }
        """;

    /// <param name="once">Run the scripted part, then exit (for tests and CI) instead of serving until Ctrl+C.</param>
    public static async Task<int> RunAsync(bool noScript, ILoggerFactory loggerFactory, bool once = false)
    {
        var origins = OriginPorts.Select((port, i) => new DemoOrigin($"origin-{(char)('a' + i)}", new IPEndPoint(IPAddress.Loopback, port))).ToArray();
        foreach (var origin in origins) await origin.StartAsync();
        var text = ConfigText();
        await using var daemon = Cli.CreateDaemon(() => ConfigLoader.LoadText(text, "demo.yaml"), loggerFactory);
        await daemon.StartAsync(CancellationToken.None);

        Console.WriteLine($"""

            Vigil demo is running: three origins on 127.0.0.1:{string.Join(",", OriginPorts)}, balanced on http://{Listen}/
            Try:
              curl -s http://{Listen}/ | head -1            # round-robin over origin-a, -b, -c
              curl -s http://{Admin}/api/status           # pools, backends, health
              curl -s http://{Admin}/metrics | grep vigil_
              dotnet run --project src/Vigil -- status --admin http://{Admin}
              curl -s -X POST http://{Admin}/api/pools/web/backends/127.0.0.1:8082/drain
            Open http://{Admin}/ for the status page.

            """);

        var failed = 0;
        if (!noScript) failed = await FailoverScriptAsync(daemon, origins);
        if (once) return failed == 0 ? 0 : 1;
        Console.WriteLine("Serving until Ctrl+C.");
        await Cli.WaitForShutdownAsync(daemon);
        foreach (var origin in origins) await origin.DisposeAsync();
        return 0;
    }

    /// <summary>
    /// Stops one origin under a steady client load and shows it leave the pool within the health-check
    /// window with no failed request, then brings it back. Bounded: at most about 30 seconds.
    /// </summary>
    public static async Task<int> FailoverScriptAsync(Daemon daemon, DemoOrigin[] origins)
    {
        using var client = new HttpClient { BaseAddress = new Uri($"http://{Listen}/"), Timeout = TimeSpan.FromSeconds(5) };
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var load = new DemoLoad(client);
        var loadTask = load.RunAsync(stop.Token);
        var victim = origins[1];
        var address = $"127.0.0.1:{victim.EndPoint.Port}";
        var pool = daemon.Current.Pools["web"];
        var backend = pool.Find(address)!;

        await Task.Delay(1500);
        Console.WriteLine($"[demo] steady load: {load.Ok} requests answered, {load.Failed} failed");
        Console.WriteLine($"[demo] stopping {victim.Name} ({address}) ...");
        var clock = Stopwatch.StartNew();
        await victim.StopAsync();
        while (backend.IsEligible(DateTimeOffset.UtcNow) && clock.Elapsed < TimeSpan.FromSeconds(10)) await Task.Delay(50);
        Console.WriteLine($"[demo] {victim.Name} left the pool after {clock.ElapsedMilliseconds} ms ({backend.StateName(DateTimeOffset.UtcNow)}: {backend.Health.Reason}); failed requests so far: {load.Failed}");

        await Task.Delay(1500);
        Console.WriteLine($"[demo] starting {victim.Name} again ...");
        clock.Restart();
        await victim.StartAsync();
        while (!backend.IsEligible(DateTimeOffset.UtcNow) && clock.Elapsed < TimeSpan.FromSeconds(10)) await Task.Delay(50);
        Console.WriteLine($"[demo] {victim.Name} is back in the pool after {clock.ElapsedMilliseconds} ms");
        await Task.Delay(1000);
        await stop.CancelAsync();
        await loadTask;
        Console.WriteLine($"[demo] done: {load.Ok} requests answered, {load.Failed} failed; by origin: {load.ByOrigin()}");
        return load.Failed;
    }
}
