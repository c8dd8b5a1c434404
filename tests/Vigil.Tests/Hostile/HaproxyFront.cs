using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Vigil.Tests.Hostile;

/// <summary>
/// Debian's HAProxy in front of hostile origins: the reference a safe proxy is measured against. One
/// process per test class (starting one per case cost more than the case), with one frontend and one
/// backend per case, so that no case shares a listener or a server connection pool with another:
/// <c>mode http</c>, <c>option forwardfor</c>, one server, <c>http-reuse always</c> (pooled server
/// connections, like Vigil's). Each case takes the next <see cref="Slot"/> and starts its origin on the
/// slot's address, which only that slot's backend knows.
/// </summary>
public class HaproxyFleet : IAsyncLifetime
{
    private readonly int _size;
    private readonly (IPEndPoint Front, IPEndPoint Origin)[] _slots;
    private int _taken;
    private Process? _process;
    private string? _directory;
    private readonly StringBuilder _output = new();

    protected HaproxyFleet(int size)
    {
        _size = size;
        _slots = new (IPEndPoint, IPEndPoint)[size];
    }

    /// <summary>Why HAProxy cannot run here, or null.</summary>
    public static string? Unavailable { get; } = Find() is null ? "haproxy is not installed (apt-get install haproxy)" : null;

    private static string? Find() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/sbin")
            .Select(dir => Path.Combine(dir, "haproxy")).FirstOrDefault(File.Exists);

    public async Task InitializeAsync()
    {
        if (Unavailable is not null) return; // every test of the class is skipped
        var config = new StringBuilder("""
            global
                maxconn 4096
                nbthread 1
            defaults
                mode http
                option forwardfor
                timeout connect 1s
                timeout client 5s
                timeout server 1s
                timeout http-request 2s

            """);
        for (var i = 0; i < _size; i++)
        {
            _slots[i] = (Loopback.Reserve(), Loopback.Reserve());
            config.Append($"frontend fe{i}\n    bind {_slots[i].Front}\n    default_backend be{i}\n");
            config.Append($"backend be{i}\n    http-reuse always\n    server origin {_slots[i].Origin}\n");
        }
        _directory = Directory.CreateTempSubdirectory("vigil-hostile-haproxy-").FullName;
        var path = Path.Combine(_directory, "haproxy.cfg");
        await File.WriteAllTextAsync(path, config.ToString());
        _process = new Process
        {
            StartInfo = new ProcessStartInfo(Find()!, ["-f", path, "-db"])
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                WorkingDirectory = _directory,
            },
        };
        _process.ErrorDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        _process.OutputDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        _process.Start();
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
        // HAProxy binds every frontend before it serves any; the last one answering means all do.
        for (var attempt = 0; attempt < 500; attempt++)
        {
            if (_process.HasExited) lock (_output) throw new InvalidOperationException($"haproxy exited: {_output}");
            try
            {
                using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await probe.ConnectAsync(_slots[^1].Front);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(10);
            }
        }
        throw new TimeoutException("haproxy did not start listening");
    }

    /// <summary>A frontend no other case has used, and the address its only server expects the origin on.</summary>
    public (IFrontDoor Front, IPEndPoint Origin) Slot()
    {
        var i = Interlocked.Increment(ref _taken) - 1;
        if (i >= _size) throw new InvalidOperationException($"all {_size} HAProxy slots are taken: give the fleet more");
        return (new HaproxyFront(_slots[i].Front), _slots[i].Origin);
    }

    public async Task DisposeAsync()
    {
        if (_process is not null)
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
            _process.Dispose();
        }
        if (_directory is not null) Directory.Delete(_directory, recursive: true);
    }

    /// <summary>One HAProxy frontend; the process belongs to the fleet, so there is nothing to stop.</summary>
    private sealed class HaproxyFront(IPEndPoint endPoint) : IFrontDoor
    {
        public string Name => "haproxy";
        public IPEndPoint EndPoint => endPoint;
        public bool SetsForwardedFor => true;
        public bool SetsForwardedHost => false;
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

/// <summary>A fleet with a slot for every smuggling case.</summary>
public sealed class SmugglingFleet() : HaproxyFleet(SmugglingCorpus.Cases.Count);

/// <summary>A fleet with a slot for every desync case.</summary>
public sealed class DesyncFleet() : HaproxyFleet(DesyncCorpus.Cases.Count);

/// <summary>A theory that runs only where HAProxy is installed; skipped with the reason elsewhere.</summary>
public sealed class HaproxyTheoryAttribute : TheoryAttribute
{
    public HaproxyTheoryAttribute()
    {
        if (HaproxyFleet.Unavailable is { } reason) Skip = reason;
    }
}
