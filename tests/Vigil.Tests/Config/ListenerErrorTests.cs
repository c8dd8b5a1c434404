using Vigil.Config;
using static Vigil.Tests.Config.ConfigAssert;

namespace Vigil.Tests.Config;

/// <summary>Errors of listeners, routes, caches and the admin section, with exact lines.</summary>
public class ListenerErrorTests
{
    private const string Pools = """
        pools:
          web: { backends: [ 127.0.0.1:8081 ] }
          db: { backends: [ 127.0.0.1:3307 ] }
        caches:
          main: { memory: 64MiB }

        """; // 5 lines; what follows starts on line 6

    [Fact]
    public void Route_naming_a_missing_pool() => Single(Pools + """
        listeners:
          - name: www
            listen: 127.0.0.1:8080
            routes:
              - match: { path_prefix: /api/ }
                pool: wbe
        """, 11, "listeners.www.routes[0].pool", "pool 'wbe' does not exist", "did you mean 'web'?");

    [Fact]
    public void Route_naming_a_missing_cache() => Single(Pools + """
        listeners:
          - name: www
            listen: 127.0.0.1:8080
            routes:
              - { pool: web, cache: mian }
        """, 10, "cache 'mian' does not exist", "did you mean 'main'?");

    [Fact]
    public void Tcp_listener_naming_a_missing_pool() => Single(Pools + """
        listeners:
          - { name: sql, protocol: tcp, listen: 127.0.0.1:3306, pool: database }
        """, 7, "listeners.sql.pool", "pool 'database' does not exist");

    [Fact]
    public void Pool_with_errors_still_counts_as_existing()
    {
        var result = Load("""
            pools:
              web: { backends: [ 127.0.0.1:8081 ], scheduler: nope }
            listeners:
              - { name: www, listen: 127.0.0.1:8080, routes: [ { pool: web } ] }
            """);
        Assert.Equal(2, Assert.Single(result.Errors).Line); // only the scheduler, no cascade
    }

    [Fact]
    public void Duplicate_listener_address() => Single(Pools + """
        listeners:
          - { name: a, protocol: tcp, listen: 127.0.0.1:3306, pool: db }
          - { name: b, protocol: tcp, listen: "127.0.0.1:3306", pool: db }
        """, 8, "listeners.b.listen", "overlaps listener 'a' (line 7)");

    [Fact]
    public void Wildcard_address_overlaps_a_specific_one() => Single(Pools + """
        listeners:
          - { name: a, protocol: tcp, listen: 127.0.0.1:3306, pool: db }
          - name: b
            protocol: tcp
            listen: 0.0.0.0:3306
            pool: db
        """, 10, "overlaps listener 'a' (line 7)");

    [Fact]
    public void Different_ports_or_families_do_not_overlap() => Valid(Pools + """
        listeners:
          - { name: a, protocol: tcp, listen: 0.0.0.0:3306, pool: db }
          - { name: b, protocol: tcp, listen: "[::1]:3306", pool: db }
          - { name: c, protocol: tcp, listen: 0.0.0.0:3307, pool: db }
        """);

    [Fact]
    public void Listener_overlapping_the_admin_api() => Single(Pools + """
        admin: { listen: 127.0.0.1:9000 }
        listeners:
          - { name: a, protocol: tcp, listen: 127.0.0.1:9000, pool: db }
        """, 8, "overlaps admin (line 6)");

    [Fact]
    public void Listener_overlapping_the_default_admin_address() => Single(Pools + """
        listeners:
          - { name: a, protocol: tcp, listen: 0.0.0.0:9090, pool: db }
        """, 7, "overlaps admin (default 127.0.0.1:9090)");

    [Fact]
    public void Duplicate_listener_name() => Single(Pools + """
        listeners:
          - { name: a, protocol: tcp, listen: 127.0.0.1:3306, pool: db }
          - { name: a, protocol: tcp, listen: 127.0.0.1:3307, pool: db }
        """, 8, "duplicate listener name (first at line 7)");

    [Fact]
    public void Http_listener_without_routes() => Single(Pools + """
        listeners:
          - name: www
            listen: 127.0.0.1:8080
        """, 7, "listeners.www", "an http listener needs routes");

    [Fact]
    public void Http_listener_with_a_pool_instead_of_routes()
    {
        var result = Load(Pools + """
            listeners:
              - name: www
                protocol: http
                listen: 127.0.0.1:8080
                pool: web
            """);
        Assert.Equal([7, 10], result.Errors.Select(e => e.Line));
        Assert.Contains("needs routes", result.Errors[0].Message);
        Assert.Contains("'pool' applies to protocol: tcp", result.Errors[1].Message);
    }

    [Fact]
    public void Tcp_listener_without_pool() => Single(Pools + """
        listeners:
          - name: sql
            protocol: tcp
            listen: 127.0.0.1:3306
        """, 7, "listeners.sql", "a tcp listener needs a pool");

    [Fact]
    public void Listen_address_must_be_literal() => Single(Pools + """
        listeners:
          - name: sql
            protocol: tcp
            listen: db.test:3306
            pool: db
        """, 9, "listen on an IP address or localhost");

    [Fact]
    public void Unknown_protocol() => Single(Pools + """
        listeners:
          - { name: sql, protocol: tpc, listen: 127.0.0.1:3306, pool: db }
        """, 7, "listeners.sql.protocol", "unknown protocol 'tpc'", "did you mean 'tcp'?");

    [Fact]
    public void On_limit_needs_max_connections() => Single(Pools + """
        listeners:
          - name: sql
            protocol: tcp
            listen: 127.0.0.1:3306
            pool: db
            on_limit: refuse
        """, 11, "'on_limit' needs max_connections");

    [Fact]
    public void Route_match_errors_each_on_their_line()
    {
        var result = Load(Pools + """
            listeners:
              - name: www
                listen: 127.0.0.1:8080
                routes:
                  - match:
                      host: "bad host"
                      path_prefix: api/
                      methods: [ GET, GTE ]
                      headers: { "X Bad": 1 }
                    pool: web
            """);
        Assert.Equal([11, 12, 13, 14], result.Errors.Select(e => e.Line));
        Assert.Contains("not a host name", result.Errors[0].Message);
        Assert.Contains("must start with '/'", result.Errors[1].Message);
        Assert.Contains("unknown method 'GTE' (did you mean 'GET'?)", result.Errors[2].Message);
        Assert.Contains("not a header name", result.Errors[3].Message);
    }

    [Fact]
    public void Route_after_a_catch_all_is_never_used() => Single(Pools + """
        listeners:
          - name: www
            listen: 127.0.0.1:8080
            routes:
              - { pool: web }
              - { match: { path_prefix: /api/ }, pool: db }
        """, 11, "never used", "line 10");

    [Fact]
    public void Trusted_proxies_must_be_cidrs() => Single(Pools + """
        listeners:
          - name: www
            listen: 127.0.0.1:8080
            routes: [ { pool: web } ]
            trusted_proxies:
              - 10.0.0.0/8
              - 10.0.0.0/40
        """, 12, "listeners.www.trusted_proxies", "prefix length must be 0–32");

    [Fact]
    public void Accept_proxy_needs_trusted_proxies() => Single(Pools + """
        listeners:
          - name: sql
            protocol: tcp
            listen: 127.0.0.1:3306
            pool: db
            accept_proxy: true
        """, 11, "listeners.sql.accept_proxy", "needs trusted_proxies", "0.0.0.0/0");

    [Fact]
    public void Trusted_proxies_of_a_tcp_listener_must_be_cidrs() => Single(Pools + """
        listeners:
          - name: sql
            protocol: tcp
            listen: 127.0.0.1:3306
            pool: db
            accept_proxy: true
            trusted_proxies: [ 10.0.0.0/8, 10.0.0.300/24 ]
        """, 12, "listeners.sql.trusted_proxies", "10.0.0.300/24");

    [Fact]
    public void Trusted_proxies_of_a_tcp_listener_need_accept_proxy() => Single(Pools + """
        listeners:
          - { name: sql, protocol: tcp, listen: 127.0.0.1:3306, pool: db,
              trusted_proxies: [ 10.0.0.0/8 ] }
        """, 8, "listeners.sql.trusted_proxies", "needs accept_proxy: true");

    [Fact]
    public void Trusted_proxies_of_an_accept_proxy_listener_cannot_be_empty() => Single(Pools + """
        listeners:
          - { name: sql, protocol: tcp, listen: 127.0.0.1:3306, pool: db, accept_proxy: true, trusted_proxies: [] }
        """, 7, "listeners.sql.trusted_proxies", "refuse every connection");

    [Fact]
    public void Trusted_proxies_of_a_tcp_listener_reach_its_options()
    {
        var config = Valid(Pools + """
            listeners:
              - { name: sql, protocol: tcp, listen: 127.0.0.1:3306, pool: db, accept_proxy: true, trusted_proxies: [ 10.1.2.3/8, "::1" ] }
            """);
        var options = Assert.Single(config.Listeners).Tcp!;
        Assert.True(options.AcceptProxy);
        Assert.Equal([System.Net.IPNetwork.Parse("10.0.0.0/8"), System.Net.IPNetwork.Parse("::1/128")], options.TrustedProxies);
    }

    [Fact]
    public void A_reload_keeps_a_tcp_listener_whose_trusted_proxies_are_unchanged_and_rebuilds_it_when_they_change()
    {
        static ListenerConfig Sql(string trusted) => Assert.Single(Valid(Pools + $$"""
            listeners:
              - { name: sql, protocol: tcp, listen: 127.0.0.1:3306, pool: db, accept_proxy: true, trusted_proxies: [ {{trusted}} ] }
            """).Listeners);

        Assert.True(Vigil.Hosting.TcpListenerHost.CanUpdateInPlace(Sql("10.0.0.0/8"), Sql("10.0.0.0/8")));
        Assert.False(Vigil.Hosting.TcpListenerHost.CanUpdateInPlace(Sql("10.0.0.0/8"), Sql("10.0.0.0/16")));
    }

    [Fact]
    public void Admin_beyond_loopback_needs_a_token() => Single(Pools + """
        listeners:
          - { name: www, listen: 127.0.0.1:8080, routes: [ { pool: web } ] }
        admin:
          listen: 0.0.0.0:9090
        """, 9, "admin.listen", "set token or token_file");

    [Fact]
    public void Cache_errors()
    {
        var result = Load("""
            pools:
              web: { backends: [ 127.0.0.1:8081 ] }
            caches:
              a: { memory: 64M }
              b:
                memory: 1MiB
                max_object_size: 2MiB
              c:
                memory: 0
              d:
                disk: { path: /var/cache/vigil }
                grace: forever
            """);
        Assert.Equal([4, 7, 9, 11, 12], result.Errors.Select(e => e.Line));
        Assert.Contains("unknown unit 'M'", result.Errors[0].Message);
        Assert.Contains("larger than the cache itself (1MiB)", result.Errors[1].Message);
        Assert.StartsWith("caches.c.memory: ", result.Errors[2].Message); // the Caching library's rule, reported by check
        Assert.Contains("'size' is required", result.Errors[3].Message);
        Assert.Contains("is not a duration", result.Errors[4].Message);
    }
}

/// <summary>The admin section and loopback-only setups such as the demo.</summary>
public class AdminAndDemoConfigTests
{
    [Fact]
    public void Token_and_token_file_are_exclusive() => Single("""
        pools: { p: { backends: [ 127.0.0.1:1 ] } }
        admin:
          listen: 0.0.0.0:9090
          token: 0123456789abcdef0123
          token_file: /etc/vigil/admin.token
        """, 5, "admin.token_file", "not both");

    [Fact]
    public void Token_is_kept_but_never_printed()
    {
        var c = Valid("""
            pools: { p: { backends: [ 127.0.0.1:1 ] } }
            admin: { listen: 0.0.0.0:9090, token: 0123456789abcdef0123 }
            """);
        Assert.Equal("0123456789abcdef0123", c.Admin.Token!.Value.Value);
        Assert.DoesNotContain("0123456789abcdef", c.ToString());
        Assert.Contains("(hidden)", c.Admin.ToString());
    }

    [Fact]
    public void Short_token_is_refused() => Single("""
        pools: { p: { backends: [ 127.0.0.1:1 ] } }
        admin: { listen: 0.0.0.0:9090, token: secret }
        """, 2, "at least 16 characters");

    [Fact]
    public void Admin_with_token_beyond_loopback_is_fine()
    {
        var file = Path.GetTempFileName();
        File.WriteAllText(file, "0123456789abcdef0123\n");
        var c = Valid($$"""
            pools: { p: { backends: [ 127.0.0.1:1 ] } }
            admin: { listen: "[::]:9090", token_file: {{file}} }
            """);
        File.Delete(file);
        Assert.Equal(file, c.Admin.TokenFile);
        Assert.Equal(9090, c.Admin.ListenEndPoint.Port);
    }

    [Theory]
    [InlineData(":8080")]
    [InlineData("\"*:8080\"")]
    public void Listen_without_address_suggests_the_wildcard(string listen) => Single($$"""
        pools: { p: { backends: [ 127.0.0.1:1 ] } }
        listeners:
          - name: www
            listen: {{listen}}
            routes: [ { pool: p } ]
        """, 4, "0.0.0.0:8080 (every IPv4 address)");

    /// <summary>What `vigil demo` runs: two nodes on loopback, udp transport, bind address mode, no root.</summary>
    [Fact]
    public void Loopback_demo_pair_is_valid()
    {
        string Node(string name, int priority, int port, int peer) => $$"""
            node: { name: {{name}} }
            admin: { listen: 127.0.0.1:{{9090 + port - 11251}} }
            pools:
              web: { backends: [ 127.0.0.1:8081, 127.0.0.1:8082, 127.0.0.1:8083 ], health: { type: http, path: /healthz, interval: 500ms } }
            listeners:
              - { name: www, listen: 127.0.0.50:8080, routes: [ { pool: web } ] }
            vrrp:
              - name: demo
                interface: lo
                vrid: 50
                priority: {{priority}}
                advert_interval: 100ms
                virtual_addresses: [ 127.0.0.50/8 ]
                transport: udp
                udp: { listen: 127.0.0.1:{{port}}, peers: [ 127.0.0.1:{{peer}} ] }
                address_mode: bind
                track: { pools: { web: -100 } }
            """;
        var a = Valid(Node("demo-a", 150, 11251, 11252)).Vrrp[0];
        var b = Valid(Node("demo-b", 100, 11252, 11251)).Vrrp[0];
        Assert.Equal((VrrpTransportKind.Udp, VrrpAddressMode.Bind), (a.Transport, a.AddressMode));
        Assert.Equal(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 11251), a.Udp!.Listen);
        Assert.Equal(b.Udp!.Listen, Assert.Single(a.Udp.Peers));
        Assert.Equal(TimeSpan.FromMilliseconds(250), Valid(Node("demo-a", 150, 11251, 11252)).Pools[0].Options.Health!.Timeout);
    }

    [Fact]
    public void Checksum_as_v2_refused_for_ipv6() => Single("""
        vrrp:
          - name: v6
            interface: eth0
            vrid: 7
            virtual_addresses: [ "2001:db8::7/64" ]
            v3_checksum_as_v2: true
        """, 6, "applies only to version 3 with IPv4");
}
