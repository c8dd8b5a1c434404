using Vigil.Balancing;
using Vigil.Balancing.Health;
using Vigil.Config;
using Vigil.Hosting;
using static Vigil.Tests.Config.ConfigAssert;

namespace Vigil.Tests.Config;

/// <summary>
/// A pool as written in YAML is the Balancing library's own <see cref="PoolOptions"/> (with its
/// <see cref="HealthCheckOptions"/> and <see cref="OutlierOptions"/>): defaults are the library's, and
/// what `check` accepts the runtime starts (issue 9, item 3).
/// </summary>
public sealed class PoolModelTests
{
    private const string Listener = "listeners:\n  - { name: www, listen: 127.0.0.1:8080, routes: [ { pool: web } ] }\n";

    [Fact]
    public void A_pool_with_empty_sections_is_the_librarys_defaults()
    {
        var options = Valid("pools: { web: { backends: [ 127.0.0.1:8081 ], health: {}, outlier: {} } }\n" + Listener).ToPoolOptions()[0];
        Assert.Equal(new HealthCheckOptions(), options.Health);
        Assert.Equal(new OutlierOptions(), options.Outlier);
        Assert.Equal(new PoolOptions { Name = "web", Backends = options.Backends }, options with { Health = null, Outlier = null });
        Assert.Equal(new BackendOptions("127.0.0.1:8081", new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 8081)), Assert.Single(options.Backends));
    }

    /// <summary>A mysql check without a role passed check, then the probe refused it when the pool started.</summary>
    [Fact]
    public async Task Mysql_check_check_and_run_agree()
    {
        var result = Load("pools:\n  web:\n    backends: [ 127.0.0.1:3307 ]\n    health: { type: mysql, user: monitor, password_file: /etc/vigil/monitor.pw }\n" + Listener);
        if (!result.IsValid)
        {
            var error = Assert.Single(result.Errors);
            Assert.Equal(4, error.Line);
            Assert.Contains("role", error.Message);
            return;
        }
        var generation = Generation.Build(1, result.Config!, null, CacheModelTests.Services());
        try
        {
            generation.Start(CacheModelTests.Services());
        }
        finally
        {
            await generation.RetireAsync(null);
        }
    }

    [Fact]
    public void Every_key_reaches_the_pool_options()
    {
        var options = Valid("""
            pools:
              web:
                scheduler: least-connections
                backends: [ { address: 127.0.0.1:8081, weight: 3, backup: true, state: draining } ]
                health: { type: http, interval: 3s, timeout: 2s, rise: 4, fall: 5, path: /hz, host: h.test, expect: 204, expect_body: ok }
                outlier: { consecutive_failures: 7, eject_for: 9s }
                slow_start: 11s
                connect_timeout: 12s
                response_timeout: 13s
                retries: 2
                send_proxy: v2
            """ + "\n" + Listener).ToPoolOptions()[0];
        Assert.Equal(new PoolOptions
        {
            Name = "web",
            Backends = options.Backends,
            Scheduler = SchedulerKind.LeastConnections,
            Health = new HealthCheckOptions
            {
                Kind = HealthCheckKind.Http, Interval = TimeSpan.FromSeconds(3), Timeout = TimeSpan.FromSeconds(2), Rise = 4, Fall = 5,
                Path = "/hz", Host = "h.test", ExpectStatusMin = 204, ExpectStatusMax = 204, ExpectBody = "ok",
            },
            Outlier = new OutlierOptions(7, TimeSpan.FromSeconds(9)),
            SlowStart = TimeSpan.FromSeconds(11),
            ConnectTimeout = TimeSpan.FromSeconds(12),
            ResponseTimeout = TimeSpan.FromSeconds(13),
            Retries = 2,
            SendProxy = 2,
        }, options);
        Assert.Equal(new BackendOptions("127.0.0.1:8081", new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 8081), 3, true, AdminState.Draining),
            Assert.Single(options.Backends));
    }

    [Fact]
    public void Library_rule_is_reported_under_the_section_it_concerns() => Single(
        "pools:\n  web:\n    backends: [ 127.0.0.1:3307 ]\n    health:\n      type: mysql\n      user: monitor\n      password_file: /pw\n" + Listener,
        4, "pools.web.health: role is required for a mysql check");
}
