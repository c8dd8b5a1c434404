using Microsoft.Extensions.Logging.Abstractions;
using Vigil.Balancing.Health;
using Vigil.Caching;
using Vigil.Config;
using Vigil.Hosting;
using Vigil.Proxy.Http.Upstream;
using static Vigil.Tests.Config.ConfigAssert;

namespace Vigil.Tests.Config;

/// <summary>
/// A cache as written in YAML is the Caching library's own <see cref="CacheOptions"/>: every key reaches
/// the running cache, defaults are the library's, and what `check` accepts the runtime builds (issue 9, defect 8).
/// </summary>
public sealed class CacheModelTests
{
    private const string Pools = "pools: { web: { backends: [ 127.0.0.1:8081 ] } }\n";

    internal static RuntimeServices Services() =>
        new(TimeProvider.System, NullLoggerFactory.Instance, UpstreamFactory.Create(UpstreamKind.Http1), new HealthProbeFactory());

    /// <summary>The options the running cache was built from, through the same path `run` takes.</summary>
    private static CacheOptions Running(VigilConfig config, string name)
    {
        var generation = Generation.Build(1, config, null, Services());
        try
        {
            return generation.Caches[name].Options;
        }
        finally
        {
            generation.RetireAsync(null).AsTask().GetAwaiter().GetResult();
        }
    }

    [Fact]
    public void Stale_windows_reach_the_running_cache()
    {
        var c = Valid(Pools + "caches: { main: { stale_while_revalidate: 30s, stale_if_error: 5m } }");
        var options = Running(c, "main");
        Assert.Equal(TimeSpan.FromSeconds(30), options.StaleWhileRevalidate);
        Assert.Equal(TimeSpan.FromMinutes(5), options.StaleIfError);
    }

    [Fact]
    public void A_cache_with_no_keys_is_the_librarys_defaults()
    {
        var c = Valid(Pools + "caches: { main: {} }");
        Assert.Equal(new CacheOptions { Name = "main" }, Running(c, "main"));
    }

    [Fact]
    public void Every_key_reaches_the_running_cache()
    {
        var c = Valid(Pools + """
            caches:
              main:
                memory: 32MiB
                disk: { path: /tmp/vigil-cache-model-test, size: 64MiB }
                max_object_size: 2MiB
                grace: 1m
                store_set_cookie: true
                stale_while_revalidate: 7s
                stale_if_error: 9s
                collapse_timeout: 3s
                hit_for_pass: 40s
            """);
        var expected = new CacheOptions
        {
            Name = "main",
            MemoryBytes = 32L << 20,
            DiskPath = "/tmp/vigil-cache-model-test",
            DiskBytes = 64L << 20,
            MaxObjectBytes = 2L << 20,
            Grace = TimeSpan.FromMinutes(1),
            StoreSetCookie = true,
            StaleWhileRevalidate = TimeSpan.FromSeconds(7),
            StaleIfError = TimeSpan.FromSeconds(9),
            CollapseTimeout = TimeSpan.FromSeconds(3),
            HitForPassTtl = TimeSpan.FromSeconds(40),
        };
        try
        {
            Assert.Equal(expected, Running(c, "main"));
        }
        finally
        {
            if (Directory.Exists(expected.DiskPath)) Directory.Delete(expected.DiskPath, recursive: true);
        }
    }

    /// <summary>
    /// The live bug: a disk-only cache passed check, then run died on the library's own validation.
    /// Whatever the library decides about disk-only, check and run must agree: either check refuses it
    /// with the library's reason on the cache's line, or the runtime builds it.
    /// </summary>
    [Fact]
    public void Disk_only_cache_check_and_run_agree()
    {
        var dir = Directory.CreateTempSubdirectory("vigil-disk-only-").FullName;
        try
        {
            var result = Load(Pools + $"caches:\n  main:\n    memory: 0\n    disk: {{ path: {dir}, size: 64MiB }}\n");
            if (result.IsValid)
            {
                var options = Running(result.Config!, "main");
                Assert.Equal((0L, dir), (options.MemoryBytes, options.DiskPath));
            }
            else
            {
                var error = Assert.Single(result.Errors);
                Assert.Equal(4, error.Line); // the memory line
                Assert.Contains("caches.main.memory", error.Message);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Every library rule is a check error with file:line, never an exception at run.</summary>
    [Fact]
    public void Library_validation_is_reported_by_check_at_the_key()
    {
        var error = Single(Pools + "caches:\n  main:\n    grace: 1m\n    memory: 1KiB\n", 5, "caches.main.memory", "64KiB");
        Assert.DoesNotContain("cache main:", error.Message); // the library's own prefix is not repeated
    }

    /// <summary>Two library rules broken on one line (a flow mapping) are two errors, each under its key.</summary>
    [Fact]
    public void Library_errors_on_one_line_are_all_reported()
    {
        var result = Load(Pools + "caches: { main: { memory: 1KiB, collapse_timeout: 0 } }\n");
        Assert.Equal(["caches.main.memory", "caches.main.collapse_timeout"], result.Errors.Select(e => e.Message[..e.Message.IndexOf(':')]));
        Assert.All(result.Errors, e => Assert.Equal(2, e.Line));
    }
}
