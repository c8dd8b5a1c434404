// Usage: Vigil.L4Bench --listen 127.0.0.1:18081 --backend 127.0.0.1:18080 [--backend ...]
//                      [--copy buffered|splice] [--send-proxy 0|1|2] [--max-connections N]
// Runs until SIGTERM/SIGINT, then drains (up to 5 s).
using System.Net;
using System.Runtime.InteropServices;
using Vigil.Balancing;
using Vigil.Proxy.Tcp;

var listen = IPEndPoint.Parse("127.0.0.1:18081");
var backends = new List<IPEndPoint>();
var copy = TcpListenerOptions.DefaultCopyMode;
var sendProxy = 0;
var maxConnections = 0;
for (var i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--listen": listen = IPEndPoint.Parse(args[i + 1]); break;
        case "--backend": backends.Add(IPEndPoint.Parse(args[i + 1])); break;
        case "--copy": copy = Enum.Parse<TcpCopyMode>(args[i + 1], ignoreCase: true); break;
        case "--send-proxy": sendProxy = int.Parse(args[i + 1]); break;
        case "--max-connections": maxConnections = int.Parse(args[i + 1]); break;
        default: Console.Error.WriteLine($"unknown argument {args[i]}"); return 2;
    }
}
if (backends.Count == 0)
{
    Console.Error.WriteLine("at least one --backend is required");
    return 2;
}

var pool = new Pool(new PoolOptions
{
    Name = "bench",
    Backends = backends.Select(b => new BackendOptions(b.ToString(), b)).ToList(),
    SendProxy = sendProxy,
}, TimeProvider.System);
var listener = new TcpProxyListener(new TcpListenerOptions
{
    Name = "bench",
    EndPoint = listen,
    Pool = pool.Name,
    CopyMode = copy,
    MaxConnections = maxConnections,
    DrainTimeout = TimeSpan.FromSeconds(5),
}, () => pool);
listener.Start();
Console.WriteLine($"vigil-l4bench listening on {listener.LocalEndPoint} copy={copy} backends={string.Join(',', backends)}");

var stop = new TaskCompletionSource();
using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.TrySetResult(); });
using var intr = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.TrySetResult(); });
await stop.Task;
await listener.DrainAsync();
Console.WriteLine($"connections={listener.ConnectionsTotal} in={listener.BytesIn} out={listener.BytesOut}");
return 0;
