using static Vigil.Tests.Config.ConfigAssert;

namespace Vigil.Tests.Config;

/// <summary>Bad input never throws: mangled versions of real configs give errors, not exceptions.</summary>
public class ConfigFuzzTests
{
    private const string Alphabet = " :-[]{},#&*!|>'\"\t\n\0%@`0123456789abcxyz./\\";

    /// <summary>1000 versions of real configs with one to four random edits each (fixed seed: a failure reproduces).</summary>
    private static IEnumerable<string> Mangled()
    {
        var sources = new[]
        {
            DesignExampleTests.DesignExample,
            File.ReadAllText(Path.Combine(DeployExamplesTests.RepoRoot(), "deploy", "vigil.example.yaml")),
        };
        var random = new Random(20261128);
        for (var i = 0; i < 1000; i++)
        {
            var text = sources[i % sources.Length].ToCharArray().ToList();
            var edits = 1 + random.Next(4);
            for (var e = 0; e < edits; e++)
            {
                var at = random.Next(text.Count);
                switch (random.Next(3))
                {
                    case 0: text.RemoveAt(at); break;
                    case 1: text.Insert(at, Alphabet[random.Next(Alphabet.Length)]); break;
                    default: text[at] = Alphabet[random.Next(Alphabet.Length)]; break;
                }
            }
            yield return new string(text.ToArray());
        }
    }

    [Fact]
    public void Mangled_configs_never_throw()
    {
        var rejected = 0;
        foreach (var mangled in Mangled())
        {
            var result = Load(mangled); // must not throw
            Assert.True(result.IsValid == (result.Config is not null));
            Assert.All(result.Errors, err => Assert.InRange(err.Line, 1, mangled.Split('\n').Length + 1));
            if (!result.IsValid) rejected++;
        }
        Assert.InRange(rejected, 50, 1000); // the mangling really produces bad files
    }

    /// <summary>
    /// check equals run, as a property: every mangled config that check accepts builds its runtime
    /// (pools, caches, route tables, health probes) without an exception. Disk stores go to a temp
    /// directory; probes are built, not run, so no traffic is sent.
    /// </summary>
    [Fact]
    public async Task Mangled_configs_check_accepts_also_build()
    {
        var services = CacheModelTests.Services();
        var dir = Directory.CreateTempSubdirectory("vigil-fuzz-build-").FullName;
        var accepted = 0;
        try
        {
            foreach (var mangled in Mangled())
            {
                var result = Load(mangled);
                if (!result.IsValid) continue;
                accepted++;
                var config = result.Config! with
                {
                    Caches = result.Config!.Caches.Select(c => c.Options.DiskPath is null ? c
                        : c with { Options = c.Options with { DiskPath = Path.Combine(dir, c.Name) } }).ToArray(),
                };
                var generation = Vigil.Hosting.Generation.Build(1, config, null, services);
                try
                {
                    foreach (var pool in config.Pools)
                        if (pool.Options.Health is { } health) services.Probes.Create(health);
                }
                finally
                {
                    await generation.RetireAsync(null);
                }
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
        Assert.InRange(accepted, 50, 1000); // enough accepted files to mean something
    }

    [Theory]
    [InlineData("memory: 79228162514264337593543950335TiB")]
    [InlineData("grace: 79228162514264337593543950335d")]
    [InlineData("grace: 99999999999999999999999999.9h")]
    [InlineData("disk: { path: \"/var/\\0cache\", size: 1GiB }")]
    public void Extreme_values_are_errors_not_exceptions(string entry)
    {
        var result = Load($$"""
            pools: { p: { backends: [ 127.0.0.1:1 ] } }
            caches:
              main: { {{entry}} }
            """);
        Assert.All(result.Errors, e => Assert.Equal(3, e.Line));
    }
}
