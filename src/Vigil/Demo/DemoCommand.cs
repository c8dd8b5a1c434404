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

    public const string VirtualAddress = "127.0.0.50";
    public const string VirtualListen = VirtualAddress + ":8080";

    /// <summary>
    /// One node of the demo's redundant pair: the single-node config plus a listener on the virtual
    /// address, which only the VRRP master binds (<c>address_mode: bind</c>), adverts over UDP on
    /// loopback every 100 ms, and tracking that hands over when every origin is dead.
    /// </summary>
    public static string NodeConfigText(string name, int priority, string admin, string advertFrom, string advertTo,
        string? ownListen, string virtualListen = VirtualListen, IReadOnlyList<int>? originPorts = null)
    {
        var single = ConfigText(ownListen ?? "127.0.0.1:1", admin, originPorts).Replace("node: { name: demo }", $"node: {{ name: {name} }}");
        var listeners = ownListen is null
            ? single[..single.IndexOf("  - name: www", StringComparison.Ordinal)]
            : single + "\n";
        return listeners + $$"""
              - name: www-vip
                protocol: http
                listen: {{virtualListen}}
                routes:
                  - { match: { path_prefix: / }, pool: web }
            vrrp:
              - name: front
                interface: lo
                vrid: 51
                priority: {{priority}}
                advert_interval: 100ms
                preempt: true
                virtual_addresses: [ {{virtualListen[..virtualListen.LastIndexOf(':')]}}/32 ]
                transport: udp
                udp: { listen: {{advertFrom}}, peers: [ {{advertTo}} ] }
                address_mode: bind
                track: { pools: { web: -100 } }
            """;
    }

    /// <param name="once">Run the scripted part, then exit (for tests and CI) instead of serving until Ctrl+C.</param>
    public static async Task<int> RunAsync(bool noScript, ILoggerFactory loggerFactory, bool once = false)
    {
        var origins = OriginPorts.Select((port, i) => new DemoOrigin($"origin-{(char)('a' + i)}", new IPEndPoint(IPAddress.Loopback, port))).ToArray();
        foreach (var origin in origins) await origin.StartAsync();
        // Each node advertises from its own loopback address: VRRP ignores adverts from its own address.
        var textA = NodeConfigText("lb1", 150, Admin, "127.0.0.1:11251", "127.0.0.2:11251", Listen);
        var textB = NodeConfigText("lb2", 100, "127.0.0.1:9091", "127.0.0.2:11251", "127.0.0.1:11251", null);
        var nodeA = Cli.CreateDaemon(() => ConfigLoader.LoadText(textA, "demo-lb1.yaml"), loggerFactory);
        await using var nodeB = Cli.CreateDaemon(() => ConfigLoader.LoadText(textB, "demo-lb2.yaml"), loggerFactory);
        await nodeA.StartAsync(CancellationToken.None);
        await nodeB.StartAsync(CancellationToken.None);
        // The virtual address answers once lb1 has won the election (about 3 advert intervals) and bound it.
        await WaitUntilAnsweringAsync($"http://{VirtualListen}/healthz", TimeSpan.FromSeconds(5));

        Console.WriteLine($"""

            Vigil demo is running: three origins on 127.0.0.1:{string.Join(",", OriginPorts)}, balanced by two Vigil nodes.
              lb1 (VRRP priority 150): http://{Listen}/ and, while master, the virtual address http://{VirtualListen}/; admin http://{Admin}/
              lb2 (VRRP priority 100): the virtual address while master; admin http://127.0.0.1:9091/
            Try:
              curl -s http://{VirtualListen}/ | head -1       # round-robin over origin-a, -b, -c through the VRRP master
              curl -s http://{Admin}/api/status              # pools, backends, health, vrrp
              curl -s http://{Admin}/metrics | grep vigil_
              dotnet run --project src/Vigil -- status --admin http://{Admin}
              curl -s -X POST http://{Admin}/api/pools/web/backends/127.0.0.1:8082/drain
            Open http://{Admin}/ for the status page.

            """);

        var failed = 0;
        try
        {
            if (!noScript)
            {
                failed = await FailoverScriptAsync(nodeA, origins);
                var (tookOver, restarted) = await VrrpFailoverScriptAsync(nodeA, nodeB, () => Cli.CreateDaemon(() => ConfigLoader.LoadText(textA, "demo-lb1.yaml"), loggerFactory));
                nodeA = restarted;
                if (!tookOver) failed++;
            }
            if (once) return failed == 0 ? 0 : 1;
            Console.WriteLine("Serving until Ctrl+C.");
            await Cli.WaitForShutdownAsync(nodeA);
            return 0;
        }
        finally
        {
            await nodeA.DisposeAsync();
            foreach (var origin in origins) await origin.DisposeAsync();
        }
    }

    /// <summary>
    /// Stops the VRRP master (it resigns with priority 0) under a steady client load on the virtual
    /// address, shows the backup take the address, then starts the master again, which preempts.
    /// Returns whether the backup took over and the address kept answering, and the restarted master.
    /// Bounded: about 15 seconds.
    /// </summary>
    public static async Task<(bool TookOver, Daemon Master)> VrrpFailoverScriptAsync(Daemon master, Daemon backup, Func<Daemon> restart)
    {
        using var client = new HttpClient { BaseAddress = new Uri($"http://{VirtualListen}/"), Timeout = TimeSpan.FromSeconds(5) };
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var load = new DemoLoad(client);
        var loadTask = load.RunAsync(stop.Token);
        await Task.Delay(1000);
        Console.WriteLine($"[demo] vrrp: lb1 is {State(master)}, lb2 is {State(backup)}; {load.Ok} requests answered on {VirtualListen}");
        Console.WriteLine("[demo] vrrp: stopping lb1 (it sends a priority-0 advert and hands the address over) ...");
        var clock = Stopwatch.StartNew();
        await master.DisposeAsync();
        while (State(backup) != "master" && clock.Elapsed < TimeSpan.FromSeconds(5)) await Task.Delay(10);
        var handover = clock.ElapsedMilliseconds;
        var tookOver = State(backup) == "master";
        Console.WriteLine($"[demo] vrrp: lb2 became {State(backup)} after {handover} ms; failed requests so far: {load.Failed}");
        var answeredBefore = load.Ok;
        await Task.Delay(1500);
        tookOver &= load.Ok > answeredBefore;
        Console.WriteLine($"[demo] vrrp: the virtual address answered {load.Ok - answeredBefore} requests through lb2");
        Console.WriteLine("[demo] vrrp: starting lb1 again (higher priority, preempt: true) ...");
        var restarted = restart();
        await restarted.StartAsync(CancellationToken.None);
        clock.Restart();
        while (State(restarted) != "master" && clock.Elapsed < TimeSpan.FromSeconds(5)) await Task.Delay(10);
        Console.WriteLine($"[demo] vrrp: lb1 is {State(restarted)} again after {clock.ElapsedMilliseconds} ms, lb2 is {State(backup)}");
        await Task.Delay(1000);
        await stop.CancelAsync();
        await loadTask;
        Console.WriteLine($"[demo] vrrp done: {load.Ok} requests answered on the virtual address, {load.Failed} refused while no node held it (the ~{handover} ms handover)");
        return (tookOver, restarted);
    }

    private static string Describe(Balancing.Backend backend)
    {
        var status = Vigil.Admin.BackendStatus.From(backend, DateTimeOffset.UtcNow);
        return $"{status.State}: {status.Reason}";
    }

    private static async Task WaitUntilAnsweringAsync(string url, TimeSpan limit)
    {
        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(1) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < limit)
        {
            try
            {
                using var response = await probe.GetAsync(url);
                if (response.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(50);
        }
    }

    private static string State(Daemon daemon) => daemon.BuildStatus().Vrrp.FirstOrDefault()?.State ?? "stopped";

    /// <summary>
    /// Stops one origin under a steady client load and shows it leave the pool within the health-check
    /// window with no failed request, then brings it back. Bounded: at most about 30 seconds.
    /// </summary>
    public static async Task<int> FailoverScriptAsync(Daemon daemon, DemoOrigin[] origins)
    {
        using var client = new HttpClient { BaseAddress = new Uri($"http://{VirtualListen}/"), Timeout = TimeSpan.FromSeconds(5) };
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
        Console.WriteLine($"[demo] {victim.Name} left the pool after {clock.ElapsedMilliseconds} ms ({Describe(backend)}); failed requests so far: {load.Failed}");

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
