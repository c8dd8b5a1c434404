using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Vigil.Proxy.Tests.Tcp;

/// <summary>A real HAProxy (Debian package) run in the foreground from a config in its own temp dir; killed on dispose.</summary>
internal sealed class HaproxyProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _dir;

    private HaproxyProcess(Process process, string dir, IPEndPoint endPoint)
    {
        _process = process;
        _dir = dir;
        EndPoint = endPoint;
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>Starts HAProxy with <paramref name="configFor"/>(port) and waits (bounded) until the port accepts.</summary>
    public static async Task<HaproxyProcess> StartAsync(Func<int, string> configFor)
    {
        var port = FreePort();
        var dir = Directory.CreateTempSubdirectory("vigil-haproxy-").FullName;
        var config = Path.Combine(dir, "haproxy.cfg");
        await File.WriteAllTextAsync(config, configFor(port) + "\n"); // haproxy refuses a last line without LF
        var process = Process.Start(new ProcessStartInfo("haproxy", ["-f", config, "-db"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            WorkingDirectory = dir,
        })!;
        var haproxy = new HaproxyProcess(process, dir, new IPEndPoint(IPAddress.Loopback, port));
        for (var i = 0; i < 100; i++)
        {
            if (process.HasExited)
                throw new InvalidOperationException($"haproxy exited {process.ExitCode}: {await process.StandardError.ReadToEndAsync()}");
            try
            {
                using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await probe.ConnectAsync(haproxy.EndPoint);
                return haproxy;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }
        await haproxy.DisposeAsync();
        throw new TimeoutException("haproxy did not start listening");
    }

    private static int FreePort()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
