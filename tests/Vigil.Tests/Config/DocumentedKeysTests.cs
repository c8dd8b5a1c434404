using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Vigil.Config;

namespace Vigil.Tests.Config;

/// <summary>
/// Every key in the tables of docs/configuration.md is accepted by `vigil check` and shows in the
/// effective configuration, so a documented key can never again be parsed and dropped (issue 9: a
/// cache's stale_if_error was). Each key is set alone, in the smallest config where it applies, to the
/// value its table gives: the default column's literal, or an example below for keys without one.
/// </summary>
public sealed partial class DocumentedKeysTests
{
    private static readonly string TokenFile = Path.Combine(Path.GetTempPath(), "vigil-documented-keys.token");

    /// <summary>Values for keys whose default column has no literal (required keys, "none", "any").</summary>
    private static readonly Dictionary<string, string> Examples = new()
    {
        ["node.name"] = "lb1",
        ["admin.token"] = "0123456789abcdef0123",
        ["admin.token_file"] = TokenFile,
        ["pools.health"] = "{ type: tcp }",
        ["pools.outlier"] = "{ eject_for: 10s }",
        ["pools.backends"] = "[ 127.0.0.1:8082 ]",
        ["backends.address"] = "127.0.0.1:8083",
        ["health.host"] = "app.internal",
        ["health.expect_body"] = "ok",
        ["health.user"] = "monitor",
        ["health.password_file"] = "/etc/vigil/monitor.pw",
        ["health.role"] = "replica",
        ["listeners.name"] = "web2",
        ["listeners.listen"] = "127.0.0.1:8090",
        ["listeners.max_connections"] = "100",
        ["listeners.routes"] = "[ { pool: web } ]",
        ["listeners.trusted_proxies"] = "[ 10.0.0.0/8 ]",
        ["listeners.pool"] = "web",
        ["routes.match"] = "{ path_prefix: /a/ }",
        ["routes.pool"] = "web",
        ["routes.cache"] = "main",
        ["match.host"] = "example.com",
        ["match.path_prefix"] = "/v1/",
        ["match.headers"] = "{ X-Canary: \"1\" }",
        ["match.methods"] = "[ GET, HEAD ]",
        ["caches.disk"] = "{ path: /var/cache/vigil/main, size: 64MiB }",
        ["disk.path"] = "/var/cache/vigil/other",
        ["disk.size"] = "128MiB",
        ["vrrp.name"] = "front2",
        ["vrrp.interface"] = "eth1",
        ["vrrp.vrid"] = "52",
        ["vrrp.virtual_addresses"] = "[ 192.0.2.60/24 ]",
        ["vrrp.unicast_peers"] = "[ 192.0.2.2 ]",
        ["vrrp.udp"] = "{ listen: 127.0.0.1:11251, peers: [ 127.0.0.1:11252 ] }",
        ["vrrp.notify"] = "/etc/vigil/notify.sh",
        ["vrrp.auth_pass"] = "secret",
        ["vrrp.track"] = "{ pools: { web: -60 } }",
        ["udp.listen"] = "127.0.0.1:11261",
        ["udp.peers"] = "[ 127.0.0.1:11262 ]",
        ["track.pools"] = "{ web: -60 }",
        ["track.interfaces"] = "{ eth1: -30 }",
        ["track.scripts"] = "[ { path: /etc/vigil/check.sh, weight: -20 } ]",
        ["script.path"] = "/etc/vigil/check2.sh",
        ["script.weight"] = "-10",
    };

    public sealed record DocumentedKey(string Section, string Key, string Type, string Default, string Meaning)
    {
        public override string ToString() => $"{Section}.{Key}";
    }

    /// <summary>The rows of every <c>| key | type | default | meaning |</c> table, by the heading above it.</summary>
    internal static List<DocumentedKey> Read()
    {
        var keys = new List<DocumentedKey>();
        var section = "";
        var inKeyTable = false;
        foreach (var line in File.ReadAllLines(Path.Combine(DeployExamplesTests.RepoRoot(), "docs", "configuration.md")))
        {
            if (line.StartsWith('#'))
            {
                section = line.TrimStart('#').Trim().ToLowerInvariant();
                inKeyTable = false;
                continue;
            }
            if (line.StartsWith("| key |", StringComparison.Ordinal)) inKeyTable = true;
            else if (!line.StartsWith('|')) inKeyTable = false;
            else if (inKeyTable && Row().Match(line) is { Success: true } m)
                keys.Add(new DocumentedKey(section, m.Groups[1].Value, m.Groups[2].Value, m.Groups[3].Value, m.Groups[4].Value));
        }
        return keys;
    }

    [GeneratedRegex(@"^\| `([a-z0-9_]+)` \|(.*?)\|(.*?)\|(.*)\|$")]
    private static partial Regex Row();

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex Literal();

    public static TheoryData<string> Keys() => new(Read().Where(k => k.Section != "top level").Select(k => k.ToString()));

    [Fact]
    public void The_tables_are_found()
    {
        var keys = Read();
        // Every section the parser has is documented by a table (renaming a heading must not empty this test).
        Assert.Equal(ConfigParser.KeysBySection.Values.Sum(k => k.Length), keys.Count);
        Assert.Contains(keys, k => k.ToString() == "caches.stale_if_error");
    }

    [Fact]
    public void The_top_level_keys_show_in_the_effective_config()
    {
        var tree = EffectiveConfig.Tree(ConfigAssert.Valid(ConfigAssert.Prefix));
        foreach (var key in Read().Where(k => k.Section == "top level"))
            Assert.True(tree.ContainsKey(key.Key), key.Key);
    }

    [Theory]
    [MemberData(nameof(Keys))]
    public void Documented_key_is_accepted_and_shows_in_the_effective_config(string name)
    {
        var key = Read().Single(k => k.ToString() == name);
        var value = Examples.TryGetValue(name, out var example) ? example
            : Literal().Match(key.Default) is { Success: true } literal ? literal.Groups[1].Value
            : throw new Xunit.Sdk.XunitException($"{name}: no literal default in docs/configuration.md; add an example value to this test");
        File.WriteAllText(TokenFile, "0123456789abcdef0123456789abcdef\n");
        var (yaml, path) = Place(key, $"{key.Key}: {value}");
        var result = ConfigAssert.Load(yaml);
        Assert.True(result.IsValid, $"{name}: {value}\n{string.Join("\n", result.Errors)}\n{yaml}");

        JsonNode? node = EffectiveConfig.Tree(result.Config!);
        foreach (var step in path)
        {
            node = step is int i ? node!.AsArray()[i] : node!.AsObject()[(string)step];
            Assert.True(node is not null, $"{name}: '{step}' missing from the effective config\n{EffectiveConfig.ToYaml(result.Config!)}");
        }
        Assert.True(node!.AsObject().ContainsKey(key.Key), $"{name} missing from the effective config\n{EffectiveConfig.ToYaml(result.Config!)}");
    }

    /// <summary>Removes <c>key: value, </c> from a flow mapping's text, the value's brackets balanced.</summary>
    private static string RemoveEntry(string text, string key)
    {
        var start = Regex.Match(text, $@"(?<=^|[{{ ]){key}: ");
        if (!start.Success) return text;
        var depth = 0;
        for (var i = start.Index + start.Length; i < text.Length; i++)
        {
            if (text[i] is '[' or '{') depth++;
            else if (text[i] is ']' or '}') depth--;
            else if (text[i] == ',' && depth == 0) return text.Remove(start.Index, i + 2 - start.Index);
        }
        return text;
    }

    private const string Pool = "pools:\n  web:\n    backends: [ 127.0.0.1:8081 ]\n";
    private const string Listener = "listeners:\n  - { name: www, listen: 127.0.0.1:8080, routes: [ { pool: web } ] }\n";
    private const string Instance = "vrrp:\n  - { name: front, interface: eth0, vrid: 51, virtual_addresses: [ 192.0.2.50/24 ]";

    /// <summary>The smallest config where <paramref name="entry"/> applies, and the path of its mapping in the effective tree.</summary>
    private static (string Yaml, object[] Path) Place(DocumentedKey key, string entry)
    {
        var k = key.Key;
        string Without(string text) => RemoveEntry(text, k); // the key under test replaces the template's own
        switch (key.Section)
        {
            case "node":
                return (Pool + Listener + $"node: {{ {entry} }}\n", ["node"]);
            case "admin":
                return (Pool + Listener + $"admin: {{ {Without("listen: 127.0.0.1:9090, ")}{entry} }}\n", ["admin"]);
            case "pools":
                return (k == "backends" ? $"pools:\n  web:\n    {entry}\n" + Listener : Pool + $"    {entry}\n" + Listener, ["pools", "web"]);
            case "backends":
                return ($"pools:\n  web:\n    backends: [ {{ {Without("address: 127.0.0.1:8081, ")}{entry} }} ]\n" + Listener, ["pools", "web", "backends", 0]);
            case "health":
                var context = key.Meaning.TrimStart() switch
                {
                    var m when m.StartsWith("http:", StringComparison.Ordinal) => "type: http, ",
                    var m when m.StartsWith("mysql", StringComparison.Ordinal) =>
                        Without("type: mysql, user: monitor, password_file: /etc/vigil/monitor.pw, role: replica, "),
                    _ => "",
                };
                return (Pool + $"    health: {{ {context}{entry} }}\n" + Listener, ["pools", "web", "health"]);
            case "outlier":
                return (Pool + $"    outlier: {{ {entry} }}\n" + Listener, ["pools", "web", "outlier"]);
            case "listeners":
                var tcp = key.Type.Contains("(tcp", StringComparison.Ordinal);
                var listener = tcp
                    ? Without("name: sql, protocol: tcp, listen: 127.0.0.1:3306, pool: web, ") + (k == "on_limit" ? "max_connections: 10, " : "")
                    : Without("name: www, listen: 127.0.0.1:8080, routes: [ { pool: web } ], ");
                return (Pool + $"listeners:\n  - {{ {listener}{entry} }}\ncaches: {{ main: {{}} }}\n", ["listeners", 0]);
            case "routes":
                return (Pool + $"listeners:\n  - {{ name: www, listen: 127.0.0.1:8080, routes: [ {{ {Without("pool: web, ")}{entry} }} ] }}\ncaches: {{ main: {{}} }}\n",
                    ["listeners", 0, "routes", 0]);
            case "match":
                return (Pool + $"listeners:\n  - {{ name: www, listen: 127.0.0.1:8080, routes: [ {{ pool: web, match: {{ {entry} }} }} ] }}\n",
                    ["listeners", 0, "routes", 0, "match"]);
            case "caches":
                return (Pool + Listener + $"caches:\n  main: {{ {entry} }}\n", ["caches", "main"]);
            case "disk":
                return (Pool + Listener + $"caches:\n  main: {{ disk: {{ {Without("path: /var/cache/vigil/main, size: 64MiB, ")}{entry} }} }}\n", ["caches", "main", "disk"]);
            case "vrrp":
                var extra = k switch
                {
                    "auth_pass" => "version: 2, ",
                    "udp" => "transport: udp, ",
                    _ => "",
                };
                return (Pool + Listener + Without(Instance.Replace("vrid: 51,", "vrid: 51, " + extra) + ", ").Replace(", , ", ", ") + $"{entry} }}\n", ["vrrp", 0]);
            case "udp":
                return (Pool + Listener + Instance + $", transport: udp, udp: {{ {Without("listen: 127.0.0.1:11251, peers: [ 127.0.0.1:11252 ], ")}{entry} }} }}\n", ["vrrp", 0, "udp"]);
            case "track":
                return (Pool + Listener + Instance + $", track: {{ {entry} }} }}\n", ["vrrp", 0, "track"]);
            case "script":
                return (Pool + Listener + Instance + $", track: {{ scripts: [ {{ {Without("path: /etc/vigil/check.sh, weight: -20, ")}{entry} }} ] }} }}\n",
                    ["vrrp", 0, "track", "scripts", 0]);
            default:
                throw new Xunit.Sdk.XunitException($"a key table under '{key.Section}' that this test does not place: teach Place() where it goes");
        }
    }
}
