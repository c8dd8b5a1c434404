// In-process side-by-side of the two L7 upstreams: one HttpProxy on Kestrel per upstream (YARP's
// IHttpForwarder and Vigil's Http1Upstream), same pool of backends, driven by wrk in interleaved
// rounds so both see the same machine load. Reports req/s, p99 and allocated bytes per request
// (GC.GetTotalAllocatedBytes over the round, whole process, divided by the requests wrk counted) and
// the proxy process's CPU time per request (steadier than req/s when other work shares the machine).
// Usage: Vigil.L7Bench --backend 127.0.0.1:18081 [--backend ...] [--rounds 5] [--duration 5s]
//        [--connections 64] [--threads 2] [--path /] [--serve] [--alloc-profile] [--inline]
//        (--serve: just run both proxies; --alloc-profile: sampled allocations by type first)
using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Vigil.Balancing;
using Vigil.Proxy.Http;
using Vigil.Proxy.Http.Routing;
using Vigil.Proxy.Http.Upstream;

var backends = new List<string>();
var rounds = 5;
var duration = "5s";
var connections = 64;
var threads = 2;
var path = "/";
var serve = false;
var profile = false;
var inline = false;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--backend": backends.Add(args[++i]); break;
        case "--rounds": rounds = int.Parse(args[++i]); break;
        case "--duration": duration = args[++i]; break;
        case "--connections": connections = int.Parse(args[++i]); break;
        case "--threads": threads = int.Parse(args[++i]); break;
        case "--path": path = args[++i]; break;
        case "--serve": serve = true; break;
        case "--alloc-profile": profile = true; break;
        case "--inline": inline = true; break;
        default: Console.Error.WriteLine($"unknown argument {args[i]}"); return 2;
    }
}
if (backends.Count == 0) { Console.Error.WriteLine("at least one --backend is required"); return 2; }

var proxies = new (string Name, int Port, IUpstream Upstream)[]
{
    ("yarp", 18201, YarpUpstream.Create()),
    ("http1", 18202, new Http1Upstream(YarpUpstream.Create())),
};
var apps = new List<WebApplication>();
foreach (var (name, port, upstream) in proxies)
{
    var options = new PoolOptions
    {
        Name = "web",
        Backends = backends.Select(a => new BackendOptions(a, IPEndPoint.Parse(a), 1)).ToArray(),
    };
    var pool = new Pool(options, TimeProvider.System);
    var proxy = new HttpProxy(new RouteTable([new RouteOptions { Name = "all", Pool = "web" }]),
        new Dictionary<string, Pool> { ["web"] = pool }, upstream, NullLogger.Instance, new HttpProxyOptions { ListenerName = name });
    var builder = WebApplication.CreateSlimBuilder();
    builder.Logging.ClearProviders();
    // Kestrel's socket I/O continuations inline on the epoll thread instead of a thread-pool hop
    // (pair with DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 for the upstream sockets).
    if (inline) builder.WebHost.UseSockets(o => o.UnsafePreferInlineScheduling = true);
    builder.WebHost.UseKestrel(k =>
    {
        k.AddServerHeader = false;
        k.Listen(IPAddress.Loopback, port);
    });
    var app = builder.Build();
    app.Run(proxy.InvokeAsync);
    await app.StartAsync();
    apps.Add(app);
    Console.WriteLine($"{name} on http://127.0.0.1:{port}/");
}

if (serve)
{
    var stop = new TaskCompletionSource();
    Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.TrySetResult(); };
    await stop.Task;
    return 0;
}

// Warm both (JIT, connection pools) before measuring.
foreach (var (name, port, _) in proxies) await Wrk(port, "2s");

if (profile)
{
    // Sampled allocations by type for each upstream (not a measurement round).
    using var sampler = new AllocationSampler();
    foreach (var (name, port, _) in proxies)
    {
        sampler.Enabled = true;
        var (requests, _, _) = await Wrk(port, duration);
        sampler.Enabled = false;
        Console.WriteLine($"{name}: sampled allocation by type over {requests} requests (bytes/request)");
        foreach (var (type, bytes) in sampler.TakeTop(25)) Console.WriteLine($"  {(double)bytes / requests,8:F1}  {type}");
    }
}

var results = proxies.ToDictionary(p => p.Name, _ => new List<(double Rps, double P99, double Alloc, double Cpu)>());
for (var round = 0; round < rounds; round++)
{
    // Alternate the order each round so neither always runs first.
    var order = round % 2 == 0 ? proxies : proxies.Reverse().ToArray();
    foreach (var (name, port, _) in order)
    {
        GC.Collect();
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var (requests, rps, p99) = await Wrk(port, duration);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        var perRequest = requests == 0 ? 0 : (double)allocated / requests;
        var cpuPerRequest = requests == 0 ? 0 : cpu.TotalMicroseconds / requests;
        results[name].Add((rps, p99, perRequest, cpuPerRequest));
        Console.WriteLine($"round {round + 1} {name,-6} {rps,10:F0} req/s  p99 {p99,7:F2} ms  {perRequest,8:F0} B/req  {cpuPerRequest,6:F1} CPU us/req  ({requests} requests)");
    }
}
if (rounds == 0) return 0;
Console.WriteLine();
Console.WriteLine($"median over {rounds} rounds ({connections} connections, {duration} each, path {path}):");
foreach (var (name, list) in results)
{
    static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }
    Console.WriteLine($"  {name,-6} {Median(list.Select(r => r.Rps)),10:F0} req/s  p99 {Median(list.Select(r => r.P99)),7:F2} ms  {Median(list.Select(r => r.Alloc)),8:F0} B/req  {Median(list.Select(r => r.Cpu)),6:F1} CPU us/req");
}
var ratio = results["http1"].Zip(results["yarp"], (h, y) => h.Rps / y.Rps).Order().ToArray();
Console.WriteLine($"  http1/yarp req/s ratio per round: {string.Join(" ", ratio.Select(r => r.ToString("F2")))}");
foreach (var app in apps) await app.StopAsync();
return 0;

async Task<(long Requests, double Rps, double P99)> Wrk(int port, string time)
{
    var psi = new ProcessStartInfo("wrk", $"-t{threads} -c{connections} -d{time} --latency http://127.0.0.1:{port}{path}")
    {
        RedirectStandardOutput = true,
        RedirectStandardError = true,
    };
    using var process = Process.Start(psi)!;
    var output = await process.StandardOutput.ReadToEndAsync();
    await process.WaitForExitAsync();
    var requests = long.Parse(Regex.Match(output, @"(\d+) requests in").Groups[1].Value);
    var rps = double.Parse(Regex.Match(output, @"Requests/sec:\s+([\d.]+)").Groups[1].Value);
    var p99Match = Regex.Match(output, @"99%\s+([\d.]+)(us|ms|s)");
    var p99 = double.Parse(p99Match.Groups[1].Value) * p99Match.Groups[2].Value switch { "us" => 0.001, "s" => 1000, _ => 1 };
    if (output.Contains("Non-2xx") || output.Contains("Socket errors")) Console.WriteLine(output);
    return (requests, rps, p99);
}
