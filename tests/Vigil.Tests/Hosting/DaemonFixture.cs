using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Vigil.Config;
using Vigil.Demo;
using Vigil.Hosting;

namespace Vigil.Tests.Hosting;

/// <summary>
/// A real daemon on loopback in front of real origins (the demo's), with its config in a temp file
/// the test can rewrite and reload. Everything on free ports; disposed at the end.
/// </summary>
public sealed class DaemonFixture : IAsyncDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("vigil-test-").FullName;

    private DaemonFixture(DemoOrigin[] origins, int listenPort, int adminPort)
    {
        Origins = origins;
        ListenPort = listenPort;
        AdminPort = adminPort;
        ConfigPath = Path.Combine(_directory, "vigil.yaml");
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{listenPort}/"), Timeout = TimeSpan.FromSeconds(10) };
        Admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{adminPort}/"), Timeout = TimeSpan.FromSeconds(10) };
    }

    public DemoOrigin[] Origins { get; }
    public int ListenPort { get; }
    public int AdminPort { get; }
    public string ConfigPath { get; }
    public HttpClient Client { get; }
    public HttpClient Admin { get; }
    public Daemon Daemon { get; private set; } = null!;

    public static async Task<DaemonFixture> StartAsync(int origins = 3, Func<DaemonFixture, string>? config = null)
    {
        var nodes = Enumerable.Range(0, origins)
            .Select(i => new DemoOrigin($"origin-{(char)('a' + i)}", new IPEndPoint(IPAddress.Loopback, FreePort()))).ToArray();
        foreach (var origin in nodes) await origin.StartAsync();
        var fixture = new DaemonFixture(nodes, FreePort(), FreePort());
        await File.WriteAllTextAsync(fixture.ConfigPath, (config ?? DefaultConfig)(fixture));
        var loggerFactory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Warning));
        fixture.Daemon = Cli.CreateDaemon(() => ConfigLoader.LoadFile(fixture.ConfigPath), loggerFactory);
        await fixture.Daemon.StartAsync(CancellationToken.None);
        return fixture;
    }

    public string Backend(int i) => $"127.0.0.1:{Origins[i].EndPoint.Port}";

    public static string DefaultConfig(DaemonFixture f) =>
        DemoCommand.ConfigText($"127.0.0.1:{f.ListenPort}", $"127.0.0.1:{f.AdminPort}", f.Origins.Select(o => o.EndPoint.Port).ToArray());

    public Task WriteConfigAsync(string text) => File.WriteAllTextAsync(ConfigPath, text);

    public static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Admin.Dispose();
        if (Daemon is not null) await Daemon.DisposeAsync();
        foreach (var origin in Origins) await origin.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
