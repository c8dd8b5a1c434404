using System.Net;
using System.Net.Sockets;

namespace Vigil.Tests.Hosting;

/// <summary>
/// `vigil run` on a file it cannot start: one line naming what and why, exit code 1; never a stack
/// trace or an abort (issue 9, defect 8). Runs the real command line in-process.
/// </summary>
[Collection("console")]
public sealed class StartFailureTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vigil-start-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Config(string listen, string tail = "", string admin = "")
    {
        var adminPort = DaemonFixture.FreePort();
        var path = Path.Combine(_dir, "vigil.yaml");
        var adminLine = admin.Length > 0 ? admin : $"{{ listen: 127.0.0.1:{adminPort} }}";
        File.WriteAllText(path,
            $"admin: {adminLine}\n" +
            "pools: { web: { backends: [ 127.0.0.1:1 ] } }\n" +
            "listeners:\n" +
            $"  - {{ name: www, listen: {listen}, routes: [ {{ pool: web }} ] }}\n" +
            tail + "\n");
        return path;
    }

    /// <summary>Runs `vigil run -c path`; every exception that escapes fails the test.</summary>
    private static async Task<(int Code, string[] Lines)> RunAsync(string path)
    {
        var output = new StringWriter();
        var (stdout, stderr) = (Console.Out, Console.Error);
        Console.SetOut(output);
        Console.SetError(output);
        int code;
        try
        {
            // A run that started would wait for SIGTERM: bound the wait so such a bug fails instead of hanging.
            code = await Cli.RunAsync(["run", "-c", path]).WaitAsync(TimeSpan.FromSeconds(60));
        }
        finally
        {
            Console.SetOut(stdout);
            Console.SetError(stderr);
        }
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.DoesNotContain(lines, l => l.StartsWith("at ", StringComparison.Ordinal)); // no stack trace
        return (code, lines);
    }

    [Fact]
    public async Task Port_in_use_is_one_line()
    {
        using var taken = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        taken.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        taken.Listen();
        var (code, lines) = await RunAsync(Config($"127.0.0.1:{((IPEndPoint)taken.LocalEndPoint!).Port}"));
        Assert.Equal(1, code);
        Assert.Contains(lines, l => l.StartsWith("vigil: listener www: ", StringComparison.Ordinal) && l.Contains("in use"));
    }

    [Fact]
    public async Task Admin_port_in_use_is_one_line()
    {
        using var taken = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        taken.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        taken.Listen();
        var port = ((IPEndPoint)taken.LocalEndPoint!).Port;
        var (code, lines) = await RunAsync(Config($"127.0.0.1:{DaemonFixture.FreePort()}", admin: $"{{ listen: 127.0.0.1:{port} }}"));
        Assert.Equal(1, code);
        Assert.Contains(lines, l => l.StartsWith("vigil: admin: ", StringComparison.Ordinal) && l.Contains("in use"));
    }

    [Fact]
    public async Task Unreadable_file_is_one_line()
    {
        var (code, lines) = await RunAsync(Path.Combine(_dir, "missing.yaml"));
        Assert.Equal(1, code);
        Assert.Contains(lines, l => l.Contains("missing.yaml") && l.Contains("cannot read"));
    }

    [Fact]
    public async Task Unusable_disk_path_is_one_line()
    {
        // A directory cannot be created under a regular file, whoever runs the test (root included).
        var file = Path.Combine(_dir, "not-a-dir");
        File.WriteAllText(file, "");
        var (code, lines) = await RunAsync(Config($"127.0.0.1:{DaemonFixture.FreePort()}",
            $"caches: {{ main: {{ disk: {{ path: {file}/cache, size: 64MiB }} }} }}"));
        Assert.Equal(1, code);
        Assert.Contains(lines, l => l.StartsWith("vigil: cache main: ", StringComparison.Ordinal) && l.Contains(file));
    }

    [Fact]
    public async Task Unreadable_token_file_is_one_line()
    {
        // check reads the token file, so run refuses it as a config error at the key's line, as check does.
        var (code, lines) = await RunAsync(Config($"127.0.0.1:{DaemonFixture.FreePort()}",
            admin: $"{{ listen: 127.0.0.1:{DaemonFixture.FreePort()}, token_file: {_dir}/no-token }}"));
        Assert.Equal(1, code);
        Assert.Contains(lines, l => l.Contains(":1: admin.token_file: cannot read the token file", StringComparison.Ordinal) && l.Contains("no-token"));
        Assert.DoesNotContain(lines, l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal));
    }

    /// <summary>Not only run: a malformed admin URL for `vigil status` is one line too, not a UriFormatException.</summary>
    [Fact]
    public async Task Status_with_a_malformed_admin_url_is_one_line()
    {
        var output = new StringWriter();
        var (stdout, stderr) = (Console.Out, Console.Error);
        Console.SetOut(output);
        Console.SetError(output);
        int code;
        try
        {
            code = await Cli.RunAsync(["status", "--admin", "not a url"]);
        }
        finally
        {
            Console.SetOut(stdout);
            Console.SetError(stderr);
        }
        Assert.Equal(1, code);
        var line = Assert.Single(output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("vigil: ", line);
    }
}
