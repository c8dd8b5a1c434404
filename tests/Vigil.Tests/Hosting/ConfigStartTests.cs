using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;
using Vigil.Config;
using Vigil.Hosting;
using Vigil.Tests.Config;

namespace Vigil.Tests.Hosting;

/// <summary>
/// What `vigil check` accepts, `vigil run` starts: every file in deploy/ and every complete YAML example
/// in docs/*.md is checked, then started in-process and stopped. Listen addresses move to free loopback
/// ports, backends to closed loopback ports (no traffic leaves 127.0.0.0/8), disk stores and token
/// files to a temp directory. VRRP instances are checked but not started:
/// a raw socket and netlink would change this machine's interfaces (the VRRP labs cover that).
/// </summary>
public sealed partial class ConfigStartTests
{
    public static TheoryData<string> Examples()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(Path.Combine(DeployExamplesTests.RepoRoot(), "deploy"), "*.yaml").Order())
            data.Add("deploy/" + Path.GetFileName(f));
        foreach (var (doc, index, _) in DocExamples()) data.Add($"docs/{doc}#{index}");
        return data;
    }

    /// <summary>The ```yaml blocks of docs/*.md that are documents (start at column 0); indented ones are
    /// fragments of a section, whose keys the documented-keys test covers one by one.</summary>
    internal static IEnumerable<(string Doc, int Index, string Text)> DocExamples()
    {
        foreach (var path in Directory.GetFiles(Path.Combine(DeployExamplesTests.RepoRoot(), "docs"), "*.md").Order())
        {
            var i = 0;
            foreach (Match m in YamlBlock().Matches(File.ReadAllText(path)))
            {
                i++;
                var text = m.Groups[1].Value;
                if (text.Split('\n').FirstOrDefault(l => l.Trim().Length > 0 && !l.TrimStart().StartsWith('#')) is { } first
                    && !char.IsWhiteSpace(first[0]))
                    yield return (Path.GetFileName(path), i, text);
            }
        }
    }

    /// <summary>A token file for the docs examples that name one, with a token check accepts.</summary>
    private static readonly Lazy<string> ExampleTokenFile = new(() =>
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("vigil-example-token-").FullName, "admin.token");
        File.WriteAllText(path, "0123456789abcdef0123456789abcdef\n");
        return path;
    });

    [GeneratedRegex(@"^```yaml\n(.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex YamlBlock();

    [GeneratedRegex(@"(pool|cache) '([^']+)' does not exist")]
    private static partial Regex Missing();

    /// <summary>A docs example may name a pool or cache defined in another example: define it, as a reader would.</summary>
    internal static ConfigLoadResult LoadExample(string name)
    {
        if (name.StartsWith("deploy/", StringComparison.Ordinal))
            return ConfigLoader.LoadFile(Path.Combine(DeployExamplesTests.RepoRoot(), name));
        var text = DocExamples().Single(e => $"docs/{e.Doc}#{e.Index}" == name).Text;
        // check reads the token file (an empty or short one is refused): the example's path becomes a real file.
        text = Regex.Replace(text, @"token_file: *(\S+)", "token_file: " + ExampleTokenFile.Value);
        // An example of one section (node, admin, caches) runs beside a pool and a listener.
        bool Has(string section) => Regex.IsMatch(text, $"^{section}:", RegexOptions.Multiline);
        if (!Has("pools")) text += "\npools: { web: { backends: [ 127.0.0.1:1 ] } }\n";
        if (!Has("listeners") && !Has("vrrp")) text += "\nlisteners:\n  - { name: www, listen: 127.0.0.1:8080, routes: [ { pool: web } ] }\n";
        var pools = new List<string>();
        var caches = new List<string>();
        for (var attempt = 0; ; attempt++)
        {
            var full = text;
            // Missing pools join the example's own pools section (a second one would be a duplicate key).
            if (pools.Count > 0)
                full = Regex.Replace(full, "^pools:.*$", m => (m.Value.Contains('{') ? m.Value.Replace("pools: {", "pools: {" + string.Concat(pools.Select(p => $" {p}: {{ backends: [ 127.0.0.1:1 ] }},")))
                    : m.Value + "\n" + string.Concat(pools.Select(p => $"  {p}: {{ backends: [ 127.0.0.1:1 ] }}\n")).TrimEnd('\n')), RegexOptions.Multiline);
            if (caches.Count > 0) full += "\ncaches:\n" + string.Concat(caches.Select(c => $"  {c}: {{}}\n"));
            var result = ConfigLoader.LoadText(full, name, null, ConfigAssert.Resolve);
            var missing = result.Errors.Select(e => Missing().Match(e.Message)).Where(m => m.Success).ToList();
            if (missing.Count == 0 || attempt == 3) return result;
            pools.AddRange(missing.Where(m => m.Groups[1].Value == "pool").Select(m => m.Groups[2].Value).Except(pools));
            caches.AddRange(missing.Where(m => m.Groups[1].Value == "cache").Select(m => m.Groups[2].Value).Except(caches));
        }
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public async Task Every_example_check_accepts_also_starts(string name)
    {
        var loaded = LoadExample(name);
        Assert.True(loaded.IsValid, string.Join("\n", loaded.Errors));
        var dir = Directory.CreateTempSubdirectory("vigil-start-example-").FullName;
        try
        {
            var config = Local(loaded.Config!, dir);
            await using var daemon = new Daemon(() => new ConfigLoadResult(config, []), CacheModelTests.Services());
            await daemon.StartAsync(CancellationToken.None); // throws (the test fails) on anything run refuses
            Assert.Equal(config.Listeners.Count, daemon.Listeners.Count);
            Assert.Equal(config.Caches.Select(c => c.Name).Order(), daemon.Current.Caches.Keys.Order());
            Assert.Equal(config.Pools.Select(p => p.Name).Order(), daemon.Current.Pools.Keys.Order());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>The same config on free loopback ports, its backends on closed loopback ports, its files in <paramref name="dir"/>, and no VRRP.</summary>
    private static VigilConfig Local(VigilConfig c, string dir)
    {
        string? tokenFile = null;
        if (c.Admin.TokenFile is not null)
        {
            tokenFile = Path.Combine(dir, "admin.token");
            File.WriteAllText(tokenFile, "0123456789abcdef0123456789abcdef\n");
        }
        var adminPort = DaemonFixture.FreePort();
        return c with
        {
            Admin = c.Admin with { Listen = $"127.0.0.1:{adminPort}", ListenEndPoint = new IPEndPoint(IPAddress.Loopback, adminPort), TokenFile = tokenFile },
            Listeners = c.Listeners.Select(l =>
            {
                var port = DaemonFixture.FreePort();
                var endPoint = new IPEndPoint(IPAddress.Loopback, port);
                return l.Tcp is { } tcp
                    ? l with { Listen = $"127.0.0.1:{port}", Tcp = tcp with { EndPoint = endPoint } }
                    : l with { Listen = $"127.0.0.1:{port}", ListenEndPoint = endPoint };
            }).ToArray(),
            // Traffic stays on loopback: every backend (and so every health probe) moves to a closed local port.
            Pools = c.Pools.Select(p => p with
            {
                Options = p.Options with
                {
                    Backends = p.Options.Backends.Select(b => b with { EndPoint = new IPEndPoint(IPAddress.Loopback, DaemonFixture.FreePort()) }).ToArray(),
                },
            }).ToArray(),
            Caches = c.Caches.Select(x => x.Options.DiskPath is null ? x
                : x with { Options = x.Options with { DiskPath = Path.Combine(dir, "cache-" + x.Name) } }).ToArray(),
            Vrrp = [],
        };
    }
}
