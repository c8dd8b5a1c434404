using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Vigil.Config;
using Vigil.Hosting;
using Vigil.Proxy.Http;
using Vigil.Proxy.Tcp;
using static Vigil.Tests.Config.ConfigAssert;

namespace Vigil.Tests.Config;

/// <summary>
/// A tcp listener as written in YAML is the Proxy library's own <see cref="TcpListenerOptions"/>: defaults
/// are the library's (the host overrides one, the idle timeout, and says so), every key reaches the
/// running listener, and the host keeps only its name, spelling and protocol (issue 9, item 3).
/// </summary>
public sealed class ListenerModelTests
{
    private const string Pools = "pools: { db: { backends: [ 127.0.0.1:3307 ] }, db2: { backends: [ 127.0.0.1:3308 ] } }\n";

    /// <summary>The options the running listener was built from, through the same host `run` starts (nothing is bound).</summary>
    private static async Task<TcpListenerOptions> Running(VigilConfig config)
    {
        var generation = Generation.Build(1, config, null, CacheModelTests.Services());
        var host = new TcpListenerHost(Assert.Single(config.Listeners), () => generation, TimeProvider.System, NullLoggerFactory.Instance);
        try
        {
            return host.Options;
        }
        finally
        {
            await host.DisposeAsync();
            await generation.RetireAsync(null);
        }
    }

    [Fact]
    public async Task A_tcp_listener_with_no_optional_keys_is_the_librarys_defaults()
    {
        var c = Valid(Pools + "listeners: [ { name: sql, protocol: tcp, listen: 127.0.0.1:3306, pool: db } ]\n");
        Assert.Equal(new TcpListenerOptions
        {
            Name = "sql",
            EndPoint = new IPEndPoint(IPAddress.Loopback, 3306),
            Pool = "db",
            // The one default the host sets itself: a quiet database session is not a stuck request.
            IdleTimeout = ListenerConfig.DefaultTcpIdleTimeout,
            TrustedProxies = ValueList<IPNetwork>.Empty,
        }, await Running(c));
    }

    [Fact]
    public async Task Every_key_reaches_the_running_listener()
    {
        var c = Valid(Pools + """
            listeners:
              - name: sql
                protocol: tcp
                listen: 127.0.0.1:3306
                pool: db
                max_connections: 7
                on_limit: refuse
                idle_timeout: 9s
                drain_timeout: 11s
                accept_proxy: true
                trusted_proxies: [ 10.0.0.0/8 ]
            """);
        var running = await Running(c);
        Assert.Equal(new TcpListenerOptions
        {
            Name = "sql",
            EndPoint = new IPEndPoint(IPAddress.Loopback, 3306),
            Pool = "db",
            MaxConnections = 7,
            OnLimit = ConnectionLimitMode.Refuse,
            IdleTimeout = TimeSpan.FromSeconds(9),
            DrainTimeout = TimeSpan.FromSeconds(11),
            AcceptProxy = true,
            TrustedProxies = ValueList<IPNetwork>.From([IPNetwork.Parse("10.0.0.0/8")]),
        }, running);
        // Wrapped, not copied: the running listener holds the very record the parser built.
        Assert.Same(c.Listeners[0].Tcp, running);
    }

    [Fact]
    public void The_host_reads_a_tcp_listeners_common_settings_from_its_options()
    {
        var l = Assert.Single(Valid(Pools + "listeners: [ { name: sql, protocol: tcp, listen: 127.0.0.1:3306, pool: db, max_connections: 5, drain_timeout: 3s } ]\n").Listeners);
        Assert.Equal((l.Tcp!.EndPoint, 5, TimeSpan.FromSeconds(3)), (l.ListenEndPoint, l.MaxConnections, l.DrainTimeout));
        Assert.Null(Assert.Single(Valid(Pools + "listeners: [ { name: sql, protocol: tcp, listen: 127.0.0.1:3306, pool: db } ]\n").Listeners).MaxConnections);
    }

    [Fact]
    public void Setting_a_tcp_listeners_common_settings_outside_its_options_is_refused_not_lost()
    {
        var l = Assert.Single(Valid(Pools + "listeners: [ { name: sql, protocol: tcp, listen: 127.0.0.1:3306, pool: db } ]\n").Listeners);
        Assert.Throws<InvalidOperationException>(() => l with { ListenEndPoint = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 1) });
        Assert.Throws<InvalidOperationException>(() => l with { DrainTimeout = TimeSpan.FromSeconds(1) });
        var moved = l with { Tcp = l.Tcp! with { EndPoint = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 1) } };
        Assert.Equal(1, moved.ListenEndPoint.Port);
    }

    [Fact]
    public void An_http_listener_has_no_tcp_options()
    {
        var l = Assert.Single(Valid(Pools + "listeners: [ { name: www, listen: 127.0.0.1:8080, routes: [ { pool: db } ] } ]\n").Listeners);
        Assert.Null(l.Tcp);
        Assert.Equal((new IPEndPoint(IPAddress.Loopback, 8080), ListenerConfig.DefaultHttpIdleTimeout), (l.ListenEndPoint, l.IdleTimeout));
        Assert.Equal(new HttpProxyOptions { ListenerName = "www", TrustedProxies = ValueList<IPNetwork>.Empty }, l.Http);
    }

    /// <summary>An http listener hands its proxy the Proxy library's own <see cref="HttpProxyOptions"/>, as parsed.</summary>
    [Fact]
    public async Task An_http_listeners_keys_reach_its_running_proxy()
    {
        var c = Valid(Pools + "listeners: [ { name: www, listen: 127.0.0.1:8080, routes: [ { pool: db } ], trusted_proxies: [ 10.0.0.0/8, \"::1\" ] } ]\n");
        var generation = Generation.Build(1, c, null, CacheModelTests.Services());
        try
        {
            var running = generation.HttpProxies["www"].Options;
            Assert.Equal(new HttpProxyOptions
            {
                ListenerName = "www",
                TrustedProxies = ValueList<IPNetwork>.From([IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("::1/128")]),
            }, running);
            Assert.Same(c.Listeners[0].Http, running);
        }
        finally
        {
            await generation.RetireAsync(null);
        }
    }

    /// <summary>Trusted proxies compare by value: a reload with the same list sees an unchanged listener.</summary>
    [Fact]
    public void An_unchanged_http_listener_is_equal_across_reloads()
    {
        static ListenerConfig Www() => Assert.Single(Valid(Pools + "listeners: [ { name: www, listen: 127.0.0.1:8080, routes: [ { pool: db } ], trusted_proxies: [ 10.0.0.0/8 ] } ]\n").Listeners);
        Assert.Equal(Www(), Www());
    }

    /// <summary>A reload keeps the socket when only the pool changed; any other key of the library's record rebuilds it.</summary>
    [Theory]
    [InlineData("pool: db2", true)]
    [InlineData("pool: db, max_connections: 3", false)]
    [InlineData("pool: db, idle_timeout: 5s", false)]
    [InlineData("pool: db, drain_timeout: 5s", false)]
    public void A_reload_keeps_a_tcp_listener_only_when_its_pool_alone_changed(string keys, bool kept)
    {
        static ListenerConfig Sql(string keys) => Assert.Single(Valid(Pools + $"listeners: [ {{ name: sql, protocol: tcp, listen: 127.0.0.1:3306, {keys} }} ]\n").Listeners);
        Assert.Equal(kept, TcpListenerHost.CanUpdateInPlace(Sql("pool: db"), Sql(keys)));
    }

    /// <summary>A key the parser refuses leaves nothing half-built behind: one error, at the key's line.</summary>
    [Fact]
    public void A_refused_key_is_reported_by_check_at_its_line() =>
        Single(Pools + "listeners:\n  - name: sql\n    protocol: tcp\n    listen: 127.0.0.1:3306\n    pool: db\n    on_limit: refuse\n",
            7, "listeners.sql.on_limit", "needs max_connections");
}
