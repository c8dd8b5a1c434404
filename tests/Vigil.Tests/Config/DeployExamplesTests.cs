using System.Text.RegularExpressions;
using Vigil.Config;

namespace Vigil.Tests.Config;

/// <summary>The shipped example configs validate, and the reference documents every key the parser accepts.</summary>
public partial class DeployExamplesTests
{
    /// <summary>The repository root: the nearest parent of the test binaries holding Vigil.slnx.</summary>
    internal static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Vigil.slnx"))) return dir.FullName;
        throw new InvalidOperationException("Vigil.slnx not found above " + AppContext.BaseDirectory);
    }

    private static string[] DeployFileNames() =>
        Directory.GetFiles(Path.Combine(RepoRoot(), "deploy"), "*.yaml").Select(f => Path.GetFileName(f)!).Order().ToArray();

    public static TheoryData<string> DeployFiles() => new(DeployFileNames());

    [Theory]
    [MemberData(nameof(DeployFiles))]
    public void Deploy_example_is_valid(string name)
    {
        var result = ConfigLoader.LoadFile(Path.Combine(RepoRoot(), "deploy", name));
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
    }

    [Fact]
    public void Deploy_holds_the_full_example_and_the_pair()
    {
        var names = DeployFileNames();
        Assert.Contains("vigil.example.yaml", names);
        Assert.Contains("two-node-a.yaml", names);
        Assert.Contains("two-node-b.yaml", names);
    }

    [Fact]
    public void Pair_differs_in_priority_and_shares_the_virtual_router()
    {
        var a = ConfigLoader.LoadFile(Path.Combine(RepoRoot(), "deploy", "two-node-a.yaml")).Config!;
        var b = ConfigLoader.LoadFile(Path.Combine(RepoRoot(), "deploy", "two-node-b.yaml")).Config!;
        Assert.NotEqual(a.Node.Name, b.Node.Name);
        Assert.Equal(a.Vrrp[0].Options.Vrid, b.Vrrp[0].Options.Vrid);
        Assert.Equal(a.Vrrp[0].VirtualAddresses, b.Vrrp[0].VirtualAddresses);
        Assert.Equal(a.Vrrp[0].Options.AdvertInterval, b.Vrrp[0].Options.AdvertInterval);
        Assert.True(a.Vrrp[0].Options.Priority > b.Vrrp[0].Options.Priority);
        // Tracking must be able to hand the VIP over: A's priority with its pool down falls below B's.
        Assert.True(a.Vrrp[0].Options.Priority + a.Vrrp[0].Track.Pools["web"] < b.Vrrp[0].Options.Priority);
    }

    [Fact]
    public void Full_example_uses_every_section()
    {
        var c = ConfigLoader.LoadFile(Path.Combine(RepoRoot(), "deploy", "vigil.example.yaml")).Config!;
        Assert.NotEmpty(c.Pools);
        Assert.Contains(c.Listeners, l => l.Protocol == ListenerProtocol.Http);
        Assert.Contains(c.Listeners, l => l.Protocol == ListenerProtocol.Tcp);
        Assert.NotEmpty(c.Caches);
        Assert.NotEmpty(c.Vrrp);
        Assert.All(c.ToPoolOptions(), p => Assert.NotEmpty(p.Backends));
    }

    [Fact]
    public void Reference_documents_every_key()
    {
        var doc = File.ReadAllText(Path.Combine(RepoRoot(), "docs", "configuration.md"));
        var documented = KeyCell().Matches(doc).Select(m => m.Groups[1].Value).ToHashSet();
        var missing = ConfigParser.KeysBySection.SelectMany(s => s.Value.Where(k => !documented.Contains(k)).Select(k => $"{s.Key}.{k}")).ToList();
        Assert.True(missing.Count == 0, "undocumented keys: " + string.Join(", ", missing));
    }

    /// <summary>A key in the first cell of a reference table row: <c>| `key` |</c>.</summary>
    [GeneratedRegex(@"^\| `([a-z0-9_]+)`", RegexOptions.Multiline)]
    private static partial Regex KeyCell();
}
