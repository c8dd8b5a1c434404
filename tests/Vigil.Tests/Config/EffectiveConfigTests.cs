using System.Text.Json.Nodes;
using Vigil.Config;
using static Vigil.Tests.Config.ConfigAssert;

namespace Vigil.Tests.Config;

/// <summary>`vigil check --effective` and <c>GET /api/config</c>: the configuration as it runs, defaults filled in, secrets never.</summary>
public sealed class EffectiveConfigTests
{
    [Fact]
    public void Defaults_are_filled_in_under_the_documented_names()
    {
        var yaml = EffectiveConfig.ToYaml(Valid("""
            pools: { web: { backends: [ 127.0.0.1:8081 ], health: { type: http } } }
            listeners:
              - { name: www, listen: 127.0.0.1:8080, routes: [ { pool: web, cache: main } ] }
            caches: { main: {} }
            """));
        foreach (var line in new[]
                 {
                     "  listen: 127.0.0.1:9090", "    scheduler: round-robin", "    retries: 1", "    connect_timeout: 3s",
                     "      interval: 2s", "      expect: 200-399", "    idle_timeout: 2m", "    memory: 256MiB",
                     "    max_object_size: 8MiB", "    stale_if_error: 0", "    hit_for_pass: 2m",
                 })
            Assert.Contains(line + "\n", yaml);
    }

    /// <summary>Loading the effective file gives back the same model: nothing is lost or changed on the way.</summary>
    [Theory]
    [MemberData(nameof(DeployExamplesTests.DeployFiles), MemberType = typeof(DeployExamplesTests))]
    public void Effective_config_loads_back_to_the_same_model(string name)
    {
        var config = ConfigLoader.LoadFile(Path.Combine(DeployExamplesTests.RepoRoot(), "deploy", name)).Config!;
        var yaml = EffectiveConfig.ToYaml(config);
        var again = ConfigLoader.LoadText(yaml, "effective.yaml", null, Resolve);
        Assert.True(again.IsValid, string.Join("\n", again.Errors) + "\n" + yaml);
        Assert.Equal(config, again.Config);
    }

    [Fact]
    public void Secrets_are_redacted_and_files_named_not_read()
    {
        var c = Valid("""
            admin: { listen: 127.0.0.1:9091, token: s3cret-s3cret-s3cret }
            pools: { db: { backends: [ 127.0.0.1:3307 ], health: { type: mysql, user: mon, password_file: /etc/vigil/pw, role: primary } } }
            listeners:
              - { name: sql, protocol: tcp, listen: 127.0.0.1:3306, pool: db }
            vrrp:
              - { name: v2, interface: eth0, vrid: 9, version: 2, auth_pass: pa55, virtual_addresses: [ 192.0.2.9/24 ] }
            """);
        var yaml = EffectiveConfig.ToYaml(c);
        var json = EffectiveConfig.Tree(c).ToJsonString();
        foreach (var text in new[] { yaml, json })
        {
            Assert.DoesNotContain("s3cret", text);
            Assert.DoesNotContain("pa55", text);
            Assert.Contains("/etc/vigil/pw", text);
        }
        Assert.Contains("  token: <redacted>\n", yaml);
        Assert.Contains("    auth_pass: <redacted>\n", yaml);
        Assert.Equal(EffectiveConfig.Redacted, EffectiveConfig.Tree(c)["admin"]!["token"]!.GetValue<string>());
    }

    [Fact]
    public void Strings_yaml_would_misread_are_quoted()
    {
        var c = Valid("""
            pools: { web: { backends: [ "[::1]:8081" ], health: { type: http, expect_body: "yes: 1", host: "123" } } }
            listeners:
              - { name: www, listen: "[::1]:8080", routes: [ { pool: web, match: { headers: { X-A: "true" } } } ] }
            """);
        var again = ConfigLoader.LoadText(EffectiveConfig.ToYaml(c), "effective.yaml", null, Resolve);
        Assert.True(again.IsValid, string.Join("\n", again.Errors));
        Assert.Equal(c, again.Config);
    }
}
