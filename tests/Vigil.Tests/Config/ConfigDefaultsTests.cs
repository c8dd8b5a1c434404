using System.Net;
using Vigil.Balancing;
using Vigil.Balancing.Health;
using Vigil.Config;
using static Vigil.Tests.Config.ConfigAssert;

namespace Vigil.Tests.Config;

/// <summary>What a minimal config means: every default as docs/configuration.md states it.</summary>
public class ConfigDefaultsTests
{
    [Fact]
    public void Minimal_http_config_gets_defaults()
    {
        var c = Valid("""
            pools:
              web:
                backends: [ 127.0.0.1:8081 ]
                health: {}
                outlier: {}
            listeners:
              - { name: www, listen: 127.0.0.1:8080, routes: [ { pool: web } ] }
            caches:
              main: {}
            """);
        Assert.Equal(Environment.MachineName, c.Node.Name);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 9090), c.Admin.ListenEndPoint);
        Assert.Null(c.Admin.Token);

        var pool = c.Pools[0].Options;
        Assert.Equal(SchedulerKind.RoundRobin, pool.Scheduler);
        Assert.Equal(TimeSpan.Zero, pool.SlowStart);
        Assert.Equal(TimeSpan.FromSeconds(3), pool.ConnectTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), pool.ResponseTimeout);
        Assert.Equal(1, pool.Retries);
        Assert.Equal(0, pool.SendProxy);
        var b = pool.Backends[0];
        Assert.Equal((1, false, AdminState.Enabled), (b.Weight, b.Backup, b.AdminState));

        var h = pool.Health!;
        Assert.Equal(HealthCheckKind.Tcp, h.Kind);
        Assert.Equal((TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), 2, 3), (h.Interval, h.Timeout, h.Rise, h.Fall));
        Assert.Equal(("/", 200, 399), (h.Path, h.ExpectStatusMin, h.ExpectStatusMax));
        Assert.Equal((5, TimeSpan.FromSeconds(30)), (pool.Outlier!.ConsecutiveFailures, pool.Outlier.EjectionTime));

        var l = c.Listeners[0];
        Assert.Equal(ListenerProtocol.Http, l.Protocol);
        Assert.Null(l.MaxConnections);
        Assert.Equal(TimeSpan.FromSeconds(120), l.IdleTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), l.DrainTimeout);
        Assert.Empty(l.TrustedProxies);
        Assert.Empty(l.Routes[0].Match.Hosts);
        Assert.Null(l.Routes[0].Match.PathPrefix);

        // The documented cache defaults are the Caching library's own.
        var cache = c.Caches[0].Options;
        Assert.Equal(256L << 20, cache.MemoryBytes);
        Assert.Null(cache.DiskPath);
        Assert.Equal(8L << 20, cache.MaxObjectBytes);
        Assert.Equal(TimeSpan.FromSeconds(10), cache.Grace);
        Assert.False(cache.StoreSetCookie);
        Assert.Equal((TimeSpan.Zero, TimeSpan.Zero), (cache.StaleWhileRevalidate, cache.StaleIfError));
        Assert.Equal((TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(2)), (cache.CollapseTimeout, cache.HitForPassTtl));

        // No health section: no active check, and the Balancing options say so too.
        Assert.Null(Valid("pools: { p: { backends: [ 127.0.0.1:1 ] } }").Pools[0].Options.Health);
    }

    [Fact]
    public void Tcp_listener_defaults()
    {
        var l = Valid("""
            pools: { db: { backends: [ 127.0.0.1:3307 ] } }
            listeners:
              - { name: sql, protocol: tcp, listen: 127.0.0.1:3306, pool: db }
            """).Listeners[0];
        Assert.Equal(TimeSpan.FromHours(1), l.IdleTimeout);
        Assert.False(l.Tcp!.AcceptProxy);
        Assert.Equal(Vigil.Proxy.Tcp.ConnectionLimitMode.Queue, l.Tcp.OnLimit);
    }

    [Fact]
    public void Vrrp_defaults_follow_keepalived()
    {
        var v = Valid("""
            vrrp:
              - { name: front, interface: eth0, vrid: 51, virtual_addresses: [ 192.0.2.50/24 ] }
            """).Vrrp[0];
        Assert.Equal((100, 3, true), ((int)v.Options.Priority, (int)v.Options.Version, v.Options.Preempt));
        Assert.Equal((TimeSpan.FromSeconds(1), TimeSpan.Zero), (v.Options.AdvertInterval, v.Options.PreemptDelay));
        Assert.Equal((VrrpTransportKind.Raw, VrrpAddressMode.Netlink, false), (v.Transport, v.AddressMode, v.Vmac));
        Assert.Equal((5, TimeSpan.FromMilliseconds(100)), (v.Announce.Repeat, v.Announce.Interval));
        Assert.Equal(Vigil.Vrrp.Packets.VrrpChecksumForm.V3PseudoHeader, v.Options.Ipv4ChecksumForm);
        Assert.Empty(v.UnicastPeers);
        Assert.Empty(v.Track.Pools);
        Assert.Null(v.Options.NotifyScript);
    }

    [Fact]
    public void Short_interval_gets_half_of_it_as_timeout()
    {
        var h = Valid("pools: { p: { backends: [ 127.0.0.1:1 ], health: { interval: 500ms } } }").Pools[0].Options.Health!;
        Assert.Equal(TimeSpan.FromMilliseconds(250), h.Timeout);
    }

    [Fact]
    public void Max_object_size_is_capped_at_a_quarter_of_a_small_memory_store()
    {
        var c = Valid("""
            pools: { p: { backends: [ 127.0.0.1:1 ] } }
            caches:
              small: { memory: 8MiB }
              disky: { memory: 64MiB, disk: { path: /var/cache/vigil, size: 1GiB } }
            """);
        Assert.Equal(2L << 20, c.Caches[0].Options.EffectiveMaxObjectBytes);
        Assert.Equal(8L << 20, c.Caches[1].Options.EffectiveMaxObjectBytes);
        Assert.Equal(("/var/cache/vigil", 1L << 30), (c.Caches[1].Options.DiskPath, c.Caches[1].Options.DiskBytes));
    }
}
