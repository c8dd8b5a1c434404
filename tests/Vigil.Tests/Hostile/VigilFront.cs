using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Vigil.Config;
using Vigil.Balancing.Health;
using Vigil.Hosting;
using Vigil.Proxy.Http.Upstream;

namespace Vigil.Tests.Hostile;

/// <summary>
/// A real Vigil daemon, started from a YAML file the way <c>vigil run</c> does, with one pool whose
/// only backend is the hostile origin. No retries (so the origin's count is the clients' count) and
/// short timeouts (so a stalling origin costs a second, not thirty).
/// </summary>
public sealed class VigilFront : IFrontDoor
{
    private readonly string _directory;
    private readonly Daemon _daemon;

    private VigilFront(string directory, Daemon daemon, IPEndPoint endPoint)
    {
        _directory = directory;
        _daemon = daemon;
        EndPoint = endPoint;
    }

    public string Name => "vigil";
    public IPEndPoint EndPoint { get; }
    public bool SetsForwardedFor => true;
    public bool SetsForwardedHost => true;

    /// <summary>The cache every cached route uses: small, and Set-Cookie never stored (the default).</summary>
    public const string CacheConfig = "caches:\n  main: { memory: 16MiB }\n";

    public static Task<IFrontDoor> StartAsync(HostileOrigin origin) => StartAsync(origin, cache: false);

    /// <param name="upstream">Null: as <c>vigil run</c> (its default forwarder, or <c>VIGIL_UPSTREAM</c>); else that forwarder.</param>
    public static async Task<IFrontDoor> StartAsync(HostileOrigin origin, bool cache, string cacheConfig = CacheConfig, UpstreamKind? upstream = null)
    {
        var listen = Loopback.Reserve();
        var directory = Directory.CreateTempSubdirectory("vigil-hostile-").FullName;
        var path = Path.Combine(directory, "vigil.yaml");
        await File.WriteAllTextAsync(path, $$"""
            node: { name: hostile }
            admin: { listen: {{Loopback.Reserve()}} }
            pools:
              origin:
                backends: [ { address: {{origin.Address}} } ]
                connect_timeout: 1s
                response_timeout: 1s
                retries: 0
            listeners:
              - name: www
                protocol: http
                listen: {{listen}}
                routes:
                  - { pool: origin{{(cache ? ", cache: main" : "")}} }
            {{(cache ? cacheConfig : "")}}
            """);
        var daemon = upstream is { } kind
            ? new Daemon(() => ConfigLoader.LoadFile(path), new RuntimeServices(TimeProvider.System, NullLoggerFactory.Instance,
                UpstreamFactory.Create(kind, NullLoggerFactory.Instance), new HealthProbeFactory()))
            : Cli.CreateDaemon(() => ConfigLoader.LoadFile(path), NullLoggerFactory.Instance);
        await daemon.StartAsync(CancellationToken.None);
        return new VigilFront(directory, daemon, listen);
    }

    public async ValueTask DisposeAsync()
    {
        await _daemon.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
