using System.Net;
using System.Text.Json;

namespace Vigil.Tests.Hosting;

/// <summary>A route with <c>cache:</c> answers repeats from the cache; purge and status go through the admin API; entries survive a reload.</summary>
public sealed class CacheWiringTests
{
    private static string CachedConfig(DaemonFixture f) => DaemonFixture.DefaultConfig(f)
        .Replace("      - { match: { path_prefix: / }, pool: web }", "      - { match: { path_prefix: / }, pool: web, cache: main }")
        + "\ncaches:\n  main: { memory: 16MiB }\n";

    [Fact]
    public async Task Repeated_requests_are_hits_until_purged()
    {
        await using var f = await DaemonFixture.StartAsync(config: CachedConfig);
        using var first = await f.Client.GetAsync("/page");
        first.EnsureSuccessStatusCode();
        var origin = first.Headers.GetValues("X-Origin").Single();
        Assert.Contains("miss", first.Headers.GetValues("Cache-Status").Single());

        for (var i = 0; i < 5; i++)
        {
            using var again = await f.Client.GetAsync("/page");
            Assert.Equal(origin, again.Headers.GetValues("X-Origin").Single()); // round-robin would have moved on
            Assert.Contains("hit", again.Headers.GetValues("Cache-Status").Single());
        }
        Assert.Equal(1, f.Origins.Sum(o => o.Requests));

        // Entries survive a reload that leaves the cache unchanged.
        Assert.True((await f.Daemon.ReloadAsync()).Ok);
        using (var afterReload = await f.Client.GetAsync("/page"))
            Assert.Contains("hit", afterReload.Headers.GetValues("Cache-Status").Single());

        using var status = JsonDocument.Parse(await f.Admin.GetStringAsync("/api/status"));
        var cache = status.RootElement.GetProperty("caches")[0];
        Assert.Equal("main", cache.GetProperty("name").GetString());
        Assert.Equal(6, cache.GetProperty("hits").GetInt64());

        using var purge = await f.Admin.PostAsync($"/api/cache/purge?url={Uri.EscapeDataString($"http://127.0.0.1:{f.ListenPort}/page")}", null);
        Assert.Equal(HttpStatusCode.OK, purge.StatusCode);
        using var purged = JsonDocument.Parse(await purge.Content.ReadAsStringAsync());
        Assert.Equal(1, purged.RootElement.GetProperty("purged").GetInt32());

        using var refetched = await f.Client.GetAsync("/page");
        Assert.Contains("miss", refetched.Headers.GetValues("Cache-Status").Single());
        Assert.Equal(2, f.Origins.Sum(o => o.Requests));
        Assert.Equal(HttpStatusCode.BadRequest, (await f.Admin.PostAsync("/api/cache/purge", null)).StatusCode);
    }

    /// <summary>A reload whose cache cannot open its disk store is refused with one reason; the running config stays.</summary>
    [Fact]
    public async Task Reload_with_an_unusable_disk_store_is_refused_and_keeps_serving()
    {
        await using var f = await DaemonFixture.StartAsync(config: CachedConfig);
        var file = Path.Combine(Path.GetDirectoryName(f.ConfigPath)!, "not-a-dir");
        await File.WriteAllTextAsync(file, "");
        await f.WriteConfigAsync(CachedConfig(f).Replace("main: { memory: 16MiB }", $"main: {{ memory: 16MiB, disk: {{ path: {file}/cache, size: 64MiB }} }}"));
        var report = await f.Daemon.ReloadAsync();
        Assert.False(report.Ok);
        Assert.StartsWith("cache main: cannot open disk store", Assert.Single(report.Errors));
        Assert.Equal(1, f.Daemon.Current.Number);
        using var response = await f.Client.GetAsync("/page");
        response.EnsureSuccessStatusCode();
    }
}
