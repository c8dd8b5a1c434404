using static Vigil.Tests.Config.ConfigAssert;

namespace Vigil.Tests.Config;

/// <summary>Each class of error in the pools section, with the exact line it is reported on.</summary>
public class PoolErrorTests
{
    [Fact]
    public void Unknown_key_suggests_the_close_one() => Single("""
        pools:
          web:
            backends:
              - { address: 127.0.0.1:8081, wieght: 2 }
        """, 4, "pools.web.backends[0].wieght", "unknown key 'wieght'", "did you mean 'weight'?");

    [Fact]
    public void Unknown_top_level_key_suggests_the_section() => Single("""
        pools:
          web: { backends: [ 127.0.0.1:8081 ] }
        listners: []
        """, 3, "unknown key 'listners'", "did you mean 'listeners'?");

    [Fact]
    public void Unknown_key_far_from_any_has_no_suggestion()
    {
        var e = Single("""
            pools:
              web:
                backends: [ 127.0.0.1:8081 ]
                frobnicate: 1
            """, 4, "unknown key 'frobnicate'");
        Assert.DoesNotContain("did you mean", e.Message);
    }

    [Fact]
    public void Weight_not_a_number() => Single("""
        pools:
          web:
            backends:
              - address: 127.0.0.1:8081
                weight: heavy
        """, 5, "weight", "expected a whole number, got 'heavy'");

    [Fact]
    public void Backends_must_be_a_list() => Single("""
        pools:
          web:
            backends: { address: 127.0.0.1:8081 }
        """, 3, "pools.web.backends", "expected a list, got a mapping");

    [Fact]
    public void Bool_must_be_true_or_false() => Single("""
        pools:
          web:
            backends:
              - { address: 127.0.0.1:8081 }
              - { address: 127.0.0.1:8082, backup: yes }
        """, 5, "backup", "expected true or false, got 'yes'");

    [Theory]
    [InlineData("0", "0 is out of range 1–256")]
    [InlineData("257", "257 is out of range 1–256")]
    [InlineData("-3", "out of range 1–256")]
    public void Weight_out_of_range(string weight, string fragment) => Single($$"""
        pools:
          web:
            backends:
              - { address: 127.0.0.1:8081 }
              - { address: 127.0.0.1:8082, weight: {{weight}} }
        """, 5, fragment);

    [Theory]
    [InlineData("2sec", "unknown unit 'sec'")]
    [InlineData("5", "needs a unit")]
    [InlineData("fast", "is not a duration")]
    [InlineData("-1s", "cannot be negative")]
    public void Bad_duration(string interval, string fragment) => Single($$"""
        pools:
          web:
            backends: [ 127.0.0.1:8081 ]
            health:
              type: tcp
              interval: {{interval}}
        """, 6, "pools.web.health.interval", fragment);

    [Theory]
    [InlineData("127.0.0.1", "needs a port")]
    [InlineData("::1:80", "brackets")]
    [InlineData("127.0.0.1:70000", "port must be 1–65535")]
    [InlineData("127.0.0.1:0", "port must be 1–65535")]
    [InlineData("10.1:80", "neither an IPv4 address nor a host name")]
    [InlineData("300.1.1.1:80", "neither an IPv4 address nor a host name")]
    [InlineData("\"[::g]:80\"", "is not an IPv6 address")]
    [InlineData("nosuch.invalid:80", "cannot resolve 'nosuch.invalid'")]
    public void Bad_backend_address(string address, string fragment) => Single($$"""
        pools:
          web:
            backends:
              - address: 127.0.0.1:8081
              - address: {{address}}
        """, 5, "pools.web.backends[1].address", fragment);

    [Fact]
    public void Unknown_scheduler_suggests() => Single("""
        pools:
          web:
            scheduler: round-robbin
            backends: [ 127.0.0.1:8081 ]
        """, 3, "pools.web.scheduler", "unknown scheduler 'round-robbin'", "did you mean 'round-robin'?", "least-connections");

    [Fact]
    public void Duplicate_backend() => Single("""
        pools:
          web:
            backends:
              - 127.0.0.1:8081
              - localhost:8081
        """, 5, "listed twice (first at line 4)");

    [Fact]
    public void Duplicate_pool_name()
    {
        var result = Load("""
            pools:
              web: { backends: [ 127.0.0.1:8081 ] }
              web: { backends: [ 127.0.0.1:8082 ] }
            """);
        var e = Assert.Single(result.Errors);
        Assert.Equal(3, e.Line);
        Assert.Contains("web", e.Message);
        Assert.Contains("uplicate", e.Message);
    }

    [Theory]
    [InlineData("rise", "0")]
    [InlineData("fall", "0")]
    [InlineData("fall", "-2")]
    public void Rise_and_fall_at_least_one(string key, string value) => Single($$"""
        pools:
          web:
            backends: [ 127.0.0.1:8081 ]
            health:
              interval: 2s
              {{key}}: {{value}}
        """, 6, $"pools.web.health.{key}", "out of range 1–1000");

    [Theory]
    [InlineData("2s", "2s")]
    [InlineData("3s", "3s")]
    public void Timeout_must_be_shorter_than_interval(string timeout, string shown) => Single($$"""
        pools:
          web:
            backends: [ 127.0.0.1:8081 ]
            health:
              interval: 2s
              timeout: {{timeout}}
        """, 6, "pools.web.health.timeout", $"timeout ({shown}) must be shorter than interval (2s)");

    [Theory]
    [InlineData("399-200")]
    [InlineData("600")]
    [InlineData("2xx")]
    [InlineData("99-200")]
    public void Expect_must_be_a_status_range(string expect) => Single($$"""
        pools:
          web:
            backends: [ 127.0.0.1:8081 ]
            health: { type: http, path: /healthz,
                      expect: {{expect}} }
        """, 5, "pools.web.health.expect", "not a status range");

    [Fact]
    public void Http_keys_on_a_tcp_check() => Single("""
        pools:
          web:
            backends: [ 127.0.0.1:8081 ]
            health:
              type: tcp
              path: /healthz
        """, 6, "'path' applies only to type: http");

    [Fact]
    public void Mysql_check_needs_user_and_password_file()
    {
        var result = Load("""
            pools:
              db:
                backends: [ 127.0.0.1:3307 ]
                health: { type: mysql, role: primary }
            """);
        Assert.Equal(2, result.Errors.Count);
        Assert.All(result.Errors, e => Assert.Equal(4, e.Line));
        Assert.Contains(result.Errors, e => e.Message.Contains("'user' is required"));
        Assert.Contains(result.Errors, e => e.Message.Contains("'password_file' is required"));
    }

    [Fact]
    public void Max_lag_only_for_replicas() => Single("""
        pools:
          db:
            backends: [ 127.0.0.1:3307 ]
            health:
              type: mysql
              user: monitor
              password_file: /etc/vigil/pw
              role: primary
              max_lag: 5s
        """, 9, "'max_lag' applies only to role: replica");

    [Fact]
    public void Fallback_to_primary_needs_a_backup_backend() => Single("""
        pools:
          db:
            backends: [ 127.0.0.1:3307, 127.0.0.1:3308 ]
            health:
              type: mysql
              user: monitor
              password_file: /etc/vigil/pw
              role: replica
              fallback_to_primary: true
        """, 9, "backup: true");

    [Fact]
    public void Outlier_and_timeouts_validated()
    {
        var result = Load("""
            pools:
              web:
                backends: [ 127.0.0.1:8081 ]
                outlier: { consecutive_failures: 0, eject_for: 0s }
                connect_timeout: 0s
                retries: 11
                send_proxy: v3
            """);
        Assert.Equal([4, 4, 5, 6, 7], result.Errors.Select(e => e.Line));
        Assert.Contains("did you mean 'v", result.Errors[4].Message);
    }

    [Fact]
    public void Pool_without_backends()
    {
        Single("""
            pools:
              web: { scheduler: round-robin }
            """, 2, "pools.web", "'backends' is required");
        Single("""
            pools:
              web:
                backends: []
            """, 3, "at least one backend");
    }
}
