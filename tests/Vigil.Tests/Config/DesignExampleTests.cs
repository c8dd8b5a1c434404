using System.Net;
using Vigil.Balancing;
using Vigil.Balancing.Health;
using Vigil.Config;
using Vigil.Vrrp.Addresses;

namespace Vigil.Tests.Config;

public class DesignExampleTests
{
    // Verbatim from DESIGN.md "Config shape".
    internal const string DesignExample = """
        node: { name: lb1 }
        admin: { listen: 127.0.0.1:9090 }
        pools:
          web:
            scheduler: round-robin   # weighted-round-robin, least-connections, source-hash, consistent-hash, power-of-two
            backends:
              - { address: 127.0.0.1:8081, weight: 2 }
              - { address: 127.0.0.1:8082 }
              - { address: 127.0.0.1:8083, backup: true }
            health: { type: http, path: /healthz, expect: 200-399, interval: 2s, timeout: 1s, rise: 2, fall: 3 }
            outlier: { consecutive_failures: 5, eject_for: 30s }
          db-read:
            scheduler: least-connections
            backends: [ { address: 127.0.0.1:3307 }, { address: 127.0.0.1:3308 } ]
            health: { type: mysql, user: monitor, password_file: /etc/vigil/monitor.pw, role: replica, max_lag: 5s }
        listeners:
          - name: www
            protocol: http
            listen: 0.0.0.0:8080
            routes:
              - { match: { path_prefix: /api/ }, pool: web }
              - { match: { path_prefix: / }, pool: web, cache: main }
          - { name: mysql-read, protocol: tcp, listen: 0.0.0.0:3306, pool: db-read }
        caches:
          main: { memory: 256MiB }
        vrrp:
          - name: front
            interface: eth0
            vrid: 51
            priority: 150
            advert_interval: 1s
            preempt: true
            virtual_addresses: [ 192.0.2.50/24 ]
            track: { pools: { web: -60 } }
        """;

    [Fact]
    public void Design_example_parses_into_the_model()
    {
        var c = ConfigAssert.Valid(DesignExample);

        Assert.Equal("lb1", c.Node.Name);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 9090), c.Admin.ListenEndPoint);

        Assert.Equal(["web", "db-read"], c.Pools.Select(p => p.Name));
        var web = c.FindPool("web")!.Options;
        Assert.Equal(SchedulerKind.RoundRobin, web.Scheduler);
        Assert.Equal([2, 1, 1], web.Backends.Select(b => b.Weight));
        Assert.Equal([false, false, true], web.Backends.Select(b => b.Backup));
        Assert.Equal(7, ConfigLines.Of(web.Backends[0]));
        Assert.Equal(4, ConfigLines.Of(c.FindPool("web")!));
        Assert.Equal(17, ConfigLines.Of(c.Listeners[0]));
        Assert.Equal(27, ConfigLines.Of(c.Vrrp[0]));
        Assert.Equal(HealthCheckKind.Http, web.Health!.Kind);
        Assert.Equal("/healthz", web.Health.Path);
        Assert.Equal((200, 399), (web.Health.ExpectStatusMin, web.Health.ExpectStatusMax));
        Assert.Equal(5, web.Outlier!.ConsecutiveFailures);
        Assert.Equal(TimeSpan.FromSeconds(30), web.Outlier.EjectionTime);

        var db = c.FindPool("db-read")!.Options;
        Assert.Equal(SchedulerKind.LeastConnections, db.Scheduler);
        Assert.Equal(HealthCheckKind.MySql, db.Health!.Kind);
        Assert.Equal(("monitor", "/etc/vigil/monitor.pw"), (db.Health.User, db.Health.PasswordFile));
        Assert.Equal("replica", db.Health.Role);
        Assert.Equal(TimeSpan.FromSeconds(5), db.Health.MaxLag);

        Assert.Equal(2, c.Listeners.Count);
        var www = c.Listeners[0];
        Assert.Equal(ListenerProtocol.Http, www.Protocol);
        Assert.Equal(new IPEndPoint(IPAddress.Any, 8080), www.ListenEndPoint);
        Assert.Equal(["/api/", "/"], www.Routes.Select(r => r.Match.PathPrefix));
        Assert.Equal([null, "main"], www.Routes.Select(r => r.Cache));
        var mysql = c.Listeners[1];
        Assert.Equal((ListenerProtocol.Tcp, "db-read"), (mysql.Protocol, mysql.Tcp?.Pool));

        Assert.Equal(256L * 1024 * 1024, Assert.Single(c.Caches).Options.MemoryBytes);

        var front = Assert.Single(c.Vrrp);
        Assert.Equal(("front", "eth0", 51, 150), (front.Name, front.Interface, (int)front.Options.Vrid, (int)front.Options.Priority));
        Assert.Equal(TimeSpan.FromSeconds(1), front.Options.AdvertInterval);
        Assert.Equal(new VirtualAddress(IPAddress.Parse("192.0.2.50"), 24), Assert.Single(front.VirtualAddresses));
        Assert.Equal(-60, front.Track.Pools["web"]);
    }

    [Fact]
    public void Design_example_maps_to_balancing_options()
    {
        var pools = ConfigAssert.Valid(DesignExample).ToPoolOptions();

        var web = pools[0];
        Assert.Equal("web", web.Name);
        Assert.Equal(new BackendOptions("127.0.0.1:8081", new IPEndPoint(IPAddress.Loopback, 8081), 2), web.Backends[0]);
        Assert.True(web.Backends[2].Backup);
        Assert.Equal(HealthCheckKind.Http, web.Health!.Kind);
        Assert.Equal((200, 399), (web.Health.ExpectStatusMin, web.Health.ExpectStatusMax));
        Assert.Equal(new OutlierOptions(5, TimeSpan.FromSeconds(30)), web.Outlier);

        var db = pools[1];
        Assert.Equal("replica", db.Health!.Role);
        Assert.Equal("monitor", db.Health.User);

        // The options really build a pool that picks backends.
        var pool = new Pool(web, TimeProvider.System);
        Assert.NotNull(pool.Pick(new PickContext(0, DateTimeOffset.UtcNow)));
    }

    [Fact]
    public void Localhost_and_host_names_resolve_to_endpoints()
    {
        var c = ConfigAssert.Valid("""
            pools:
              p:
                backends: [ localhost:81, "db.test:3306", "[::1]:82" ]
            listeners:
              - { name: t, protocol: tcp, listen: localhost:3306, pool: p }
            """);
        var eps = c.Pools[0].Options.Backends.Select(b => b.EndPoint).ToArray();
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 81), eps[0]);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.10"), 3306), eps[1]); // IPv4 preferred
        Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, 82), eps[2]);
        Assert.Equal("localhost:81", c.Pools[0].Options.Backends[0].Address); // the operator's spelling stays the admin key
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 3306), c.Listeners[0].ListenEndPoint);
    }
}
