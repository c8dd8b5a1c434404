using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Vigil.Tests.Hostile;

/// <summary>
/// Debian's HAProxy in front of the hostile origin (<c>mode http</c>, one server, <c>http-reuse always</c>
/// so its server connections are pooled as Vigil's are): the reference a safe proxy is measured against.
/// </summary>
public sealed class HaproxyFront : IFrontDoor
{
    private readonly Process _process;
    private readonly string _directory;

    private HaproxyFront(Process process, string directory, IPEndPoint endPoint)
    {
        _process = process;
        _directory = directory;
        EndPoint = endPoint;
    }

    public string Name => "haproxy";
    public IPEndPoint EndPoint { get; }
    public bool SetsForwardedFor => true;
    public bool SetsForwardedHost => false;

    /// <summary>Why HAProxy cannot run here, or null.</summary>
    public static string? Unavailable { get; } = Find() is null ? "haproxy is not installed (apt-get install haproxy)" : null;

    private static string? Find() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/sbin")
            .Select(dir => Path.Combine(dir, "haproxy")).FirstOrDefault(File.Exists);

    public static async Task<IFrontDoor> StartAsync(HostileOrigin origin)
    {
        var listen = Loopback.Reserve();
        var directory = Directory.CreateTempSubdirectory("vigil-hostile-haproxy-").FullName;
        var config = Path.Combine(directory, "haproxy.cfg");
        await File.WriteAllTextAsync(config, $"""
            global
                maxconn 256
                nbthread 1
            defaults
                mode http
                option forwardfor
                timeout connect 1s
                timeout client 5s
                timeout server 1s
                timeout http-request 2s
            frontend fe
                bind {listen}
                default_backend be
            backend be
                http-reuse always
                server origin {origin.Address}

            """);
        var process = new Process
        {
            StartInfo = new ProcessStartInfo(Find()!, ["-f", config, "-db"])
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                WorkingDirectory = directory,
            },
        };
        var output = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.Start();
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var front = new HaproxyFront(process, directory, listen);
        for (var i = 0; i < 300; i++)
        {
            if (process.HasExited)
            {
                await front.DisposeAsync();
                lock (output) throw new InvalidOperationException($"haproxy exited: {output}");
            }
            try
            {
                using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await probe.ConnectAsync(front.EndPoint);
                return front;
            }
            catch (SocketException)
            {
                await Task.Delay(10);
            }
        }
        await front.DisposeAsync();
        throw new TimeoutException("haproxy did not start listening");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}

/// <summary>A theory that runs only where HAProxy is installed; skipped with the reason elsewhere.</summary>
public sealed class HaproxyTheoryAttribute : TheoryAttribute
{
    public HaproxyTheoryAttribute()
    {
        if (HaproxyFront.Unavailable is { } reason) Skip = reason;
    }
}

/// <summary>A fact that runs only where HAProxy is installed; skipped with the reason elsewhere.</summary>
public sealed class HaproxyFactAttribute : FactAttribute
{
    public HaproxyFactAttribute()
    {
        if (HaproxyFront.Unavailable is { } reason) Skip = reason;
    }
}
