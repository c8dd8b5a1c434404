using Vigil.Config;
using static Vigil.Tests.Config.ConfigAssert;

namespace Vigil.Tests.Config;

/// <summary>Loader behaviour: all errors in one pass, YAML syntax errors as lines, files and relative paths.</summary>
public class ConfigLoaderTests
{
    [Fact]
    public void Reports_every_error_at_once_in_line_order()
    {
        var result = Load("""
            node: { name: lb1 }
            vrrp:
              - { name: front, interface: eth0, vrid: 300, virtual_addresses: [ 192.0.2.50/24 ] }
            pools:
              web:
                scheduler: fastest
                backends:
                  - { address: 127.0.0.1:8081, weight: 0 }
                health: { interval: 1s, timeout: 2s }
            listeners:
              - name: www
                listen: 127.0.0.1:8080
                routes:
                  - { pool: nope }
              - { name: sql, protocol: tcp, listen: 127.0.0.1:8080, pool: web }
            caches:
              main: { memory: lots }
            """);
        Assert.Null(result.Config);
        Assert.Equal([3, 6, 8, 9, 14, 15, 17], result.Errors.Select(e => e.Line));
        Assert.Equal(
        [
            "test.yaml:3: vrrp.front.vrid: 300 is out of range 1–255",
            "test.yaml:6: pools.web.scheduler: unknown scheduler 'fastest'; expected one of: round-robin, weighted-round-robin, least-connections, source-hash, consistent-hash, power-of-two",
            "test.yaml:8: pools.web.backends[0].weight: 0 is out of range 1–256",
            "test.yaml:9: pools.web.health.timeout: timeout (2s) must be shorter than interval (1s)",
            "test.yaml:14: listeners.www.routes[0].pool: pool 'nope' does not exist",
            "test.yaml:15: listeners.sql.listen: address 127.0.0.1:8080 overlaps listener 'www' (line 12)",
            "test.yaml:17: caches.main.memory: 'lots' is not a size (use 512KiB, 64MiB, 1GiB or bytes)",
        ], result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Yaml_syntax_error_has_its_line()
    {
        var e = Single("""
            pools:
              web:
                backends:
                  - address: "127.0.0.1:8081
            """, 4, "YAML syntax");
        Assert.StartsWith("test.yaml:4: YAML syntax: ", e.ToString());
        Single("pools:\n  web:\n  backends: - a\n", 3, "YAML syntax");
        Single("pools:\n  web:\n    backends: [ 127.0.0.1:8081\n  x: 1\n", 3, "YAML syntax");
    }

    [Fact]
    public void Tab_indentation_is_reported_on_its_line() =>
        Single("pools:\n  web:\n\tbackends: []\n", 3, "tab in the indentation");

    [Fact]
    public void Duplicate_keys_are_reported() =>
        Single("pools:\n  web: { backends: [ 127.0.0.1:8081 ], backends: [] }\n", 2, "Duplicate key backends");

    [Theory]
    [InlineData("", "the file is empty")]
    [InlineData("# only a comment\n", "the file is empty")]
    [InlineData("- a\n- b\n", "expected a mapping, got a list")]
    [InlineData("node: { name: lb1 }\n", "nothing to run")]
    [InlineData("pools: {}\n---\npools: {}\n", "only one YAML document")]
    public void Degenerate_files(string yaml, string fragment) => Assert.Contains(Load(yaml).Errors, e => e.Message.Contains(fragment));

    [Fact]
    public void Missing_file_is_an_error_not_an_exception()
    {
        var result = ConfigLoader.LoadFile("/nonexistent/vigil.yaml");
        var e = Assert.Single(result.Errors);
        Assert.StartsWith("/nonexistent/vigil.yaml:0: cannot read", e.ToString());
    }

    [Fact]
    public void Load_file_resolves_relative_paths_against_its_directory()
    {
        var dir = Directory.CreateTempSubdirectory("vigil-config-");
        try
        {
            var file = Path.Combine(dir.FullName, "vigil.yaml");
            File.WriteAllText(file, """
                pools:
                  db:
                    backends: [ 127.0.0.1:3307 ]
                    health: { type: mysql, user: monitor, password_file: secrets/monitor.pw, role: primary }
                caches:
                  main: { disk: { path: /var/cache/vigil, size: 1GiB } }
                """);
            var result = ConfigLoader.LoadFile(file);
            Assert.True(result.IsValid, string.Join("\n", result.Errors));
            Assert.Equal(Path.Combine(dir.FullName, "secrets", "monitor.pw"), result.Config!.Pools[0].Options.Health!.PasswordFile);
            Assert.Equal("/var/cache/vigil", result.Config.Caches[0].Options.DiskPath);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Keys_are_case_sensitive_like_yaml()
    {
        var errors = Load("pools:\n  web:\n    Backends: [ 127.0.0.1:8081 ]\n").Errors;
        Assert.Equal(
        [
            "test.yaml:2: pools.web: 'backends' is required",
            "test.yaml:3: pools.web.Backends: unknown key 'Backends' (did you mean 'backends'?)",
        ], errors.Select(e => e.ToString()));
    }
}

/// <summary>YAML anchors and aliases share values; merge keys are refused with a clear message.</summary>
public class ConfigAliasTests
{
    [Fact]
    public void Aliases_share_values()
    {
        var c = ConfigAssert.Valid("""
            pools:
              web-a:
                backends: [ 127.0.0.1:8081 ]
                health: &check { type: http, path: /healthz }
              web-b:
                backends: [ 127.0.0.1:8082 ]
                health: *check
            """);
        Assert.Equal(c.Pools[0].Options.Health, c.Pools[1].Options.Health);
        Assert.Equal("/healthz", c.Pools[1].Options.Health!.Path);
    }

    [Fact]
    public void Merge_keys_are_reported()
    {
        var errors = ConfigAssert.Load("""
            pools:
              web-a: &pool
                backends: [ 127.0.0.1:8081 ]
              web-b:
                <<: *pool
                connect_timeout: 2s
            """).Errors;
        Assert.Equal(
        [
            "test.yaml:4: pools.web-b: 'backends' is required",
            "test.yaml:5: pools.web-b: YAML merge keys (<<) are not supported: repeat the settings (aliases *name work)",
        ], errors.Select(e => e.ToString()));
    }
}
