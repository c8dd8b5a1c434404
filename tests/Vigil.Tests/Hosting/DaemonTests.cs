using System.Net;
using System.Text.Json;
using Vigil.Balancing;

namespace Vigil.Tests.Hosting;

/// <summary>The daemon end to end on loopback: balancing, admin API, metrics, reloads good and bad.</summary>
public sealed class DaemonTests
{
    [Fact]
    public async Task Requests_are_balanced_across_every_origin()
    {
        await using var f = await DaemonFixture.StartAsync();
        var seen = new Dictionary<string, int>();
        for (var i = 0; i < 30; i++)
        {
            using var response = await f.Client.GetAsync("/");
            response.EnsureSuccessStatusCode();
            var origin = response.Headers.GetValues("X-Origin").Single();
            seen[origin] = seen.GetValueOrDefault(origin) + 1;
        }
        Assert.Equal(3, seen.Count);
        Assert.All(seen.Values, n => Assert.Equal(10, n)); // round-robin: exactly even
    }

    [Fact]
    public async Task Status_reports_every_backend_with_health_and_counters()
    {
        await using var f = await DaemonFixture.StartAsync();
        (await f.Client.GetAsync("/")).EnsureSuccessStatusCode();
        using var status = JsonDocument.Parse(await f.Admin.GetStringAsync("/api/status"));
        var root = status.RootElement;
        Assert.Equal("demo", root.GetProperty("node").GetString());
        var pool = root.GetProperty("pools").EnumerateArray().Single();
        Assert.Equal("web", pool.GetProperty("name").GetString());
        var backends = pool.GetProperty("backends").EnumerateArray().ToArray();
        Assert.Equal(3, backends.Length);
        Assert.All(backends, b => Assert.Equal("up", b.GetProperty("state").GetString()));
        Assert.Equal(1, backends.Sum(b => b.GetProperty("requests").GetInt64()));
        Assert.Equal("www", root.GetProperty("listeners")[0].GetProperty("name").GetString());
    }

    [Fact]
    public async Task Disable_and_enable_through_the_admin_api()
    {
        await using var f = await DaemonFixture.StartAsync();
        var address = f.Backend(1);
        var result = await f.Admin.PostAsync($"/api/pools/web/backends/{address}/disable", null);
        Assert.Equal(HttpStatusCode.OK, result.StatusCode);
        for (var i = 0; i < 12; i++)
        {
            using var response = await f.Client.GetAsync("/");
            Assert.NotEqual("origin-b", response.Headers.GetValues("X-Origin").Single());
        }
        Assert.Equal(AdminState.Disabled, f.Daemon.Current.Pools["web"].Find(address)!.AdminState);

        Assert.Equal(HttpStatusCode.NotFound, (await f.Admin.PostAsync("/api/pools/web/backends/127.0.0.1:1/enable", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await f.Admin.PostAsync($"/api/pools/nope/backends/{address}/enable", null)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await f.Admin.PostAsync($"/api/pools/web/backends/{address}/explode", null)).StatusCode);

        (await f.Admin.PostAsync($"/api/pools/web/backends/{address}/enable", null)).EnsureSuccessStatusCode();
        var origins = new HashSet<string>();
        for (var i = 0; i < 6; i++)
            origins.Add((await f.Client.GetAsync("/")).Headers.GetValues("X-Origin").Single());
        Assert.Contains("origin-b", origins);
    }

    [Fact]
    public async Task Metrics_are_exposed_in_prometheus_text_format()
    {
        await using var f = await DaemonFixture.StartAsync();
        for (var i = 0; i < 3; i++) (await f.Client.GetAsync("/")).EnsureSuccessStatusCode();
        var text = await f.Admin.GetStringAsync("/metrics");
        Assert.Contains("vigil_http_requests_total{", text);
        Assert.Contains("vigil_backend_up{", text);
        Assert.Contains("# TYPE vigil_http_request_duration_seconds histogram", text);
    }

    [Fact]
    public async Task A_bad_reload_is_refused_and_the_running_config_keeps_serving()
    {
        await using var f = await DaemonFixture.StartAsync();
        await f.WriteConfigAsync(DaemonFixture.DefaultConfig(f).Replace("round-robin", "round-robbin").Replace("pool: web", "pool: webb"));
        using var reload = await f.Admin.PostAsync("/api/reload", null);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, reload.StatusCode);
        using var body = JsonDocument.Parse(await reload.Content.ReadAsStringAsync());
        var errors = body.RootElement.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!).ToArray();
        Assert.Equal(2, errors.Length);
        Assert.All(errors, e => Assert.StartsWith(f.ConfigPath + ":", e));
        Assert.Contains(errors, e => e.Contains("round-robbin"));
        Assert.Contains(errors, e => e.Contains("webb"));

        Assert.Equal(1, f.Daemon.Current.Number);
        (await f.Client.GetAsync("/")).EnsureSuccessStatusCode();
        using var status = JsonDocument.Parse(await f.Admin.GetStringAsync("/api/status"));
        Assert.False(status.RootElement.GetProperty("last_reload").GetProperty("ok").GetBoolean());
    }

    [Fact]
    public async Task Reload_under_load_loses_no_request_and_keeps_backend_state()
    {
        await using var f = await DaemonFixture.StartAsync();
        var kept = f.Daemon.Current.Pools["web"].Find(f.Backend(0))!;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var failures = 0;
        var answered = 0;
        async Task LoadAsync()
        {
            for (var i = 0; i < 2000 && !stop.IsCancellationRequested; i++)
            {
                try
                {
                    using var response = await f.Client.GetAsync("/", stop.Token);
                    if (response.IsSuccessStatusCode) Interlocked.Increment(ref answered);
                    else Interlocked.Increment(ref failures);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested) { return; }
                catch (HttpRequestException) { Interlocked.Increment(ref failures); }
            }
        }
        var load = Task.WhenAll(Enumerable.Range(0, 4).Select(_ => LoadAsync()));

        for (var generation = 0; generation < 5; generation++)
        {
            await Task.Delay(150);
            var text = DaemonFixture.DefaultConfig(f).Replace("round-robin", generation % 2 == 0 ? "least-connections" : "round-robin");
            await f.WriteConfigAsync(text);
            var report = await f.Daemon.ReloadAsync();
            Assert.True(report.Ok, string.Join("\n", report.Errors));
        }
        await Task.Delay(150);
        await stop.CancelAsync();
        await load;

        Assert.Equal(6, f.Daemon.Current.Number);
        Assert.Equal(0, failures);
        Assert.True(answered > 20, $"only {answered} requests answered");
        // The unchanged backend is the same object: health and counters carried over.
        Assert.Same(kept, f.Daemon.Current.Pools["web"].Find(f.Backend(0)));
    }

    [Fact]
    public async Task Reload_adds_and_removes_listeners()
    {
        await using var f = await DaemonFixture.StartAsync();
        var second = DaemonFixture.FreePort();
        var text = DaemonFixture.DefaultConfig(f) + $$"""

              - name: second
                protocol: http
                listen: 127.0.0.1:{{second}}
                routes:
                  - { match: { path_prefix: /, methods: [GET] }, pool: web }
            """;
        await f.WriteConfigAsync(text);
        Assert.True((await f.Daemon.ReloadAsync()).Ok);
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{second}/") };
        (await client.GetAsync("/")).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync("/", null)).StatusCode);

        await f.WriteConfigAsync(DaemonFixture.DefaultConfig(f));
        Assert.True((await f.Daemon.ReloadAsync()).Ok);
        // The removed listener unbinds while it drains in the background: new connections are refused.
        var refused = false;
        for (var i = 0; i < 50 && !refused; i++)
        {
            using var fresh = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{second}/") };
            try { using var _ = await fresh.GetAsync("/"); await Task.Delay(100); }
            catch (HttpRequestException) { refused = true; }
        }
        Assert.True(refused, "the removed listener still accepts connections after 5 s");
        (await f.Client.GetAsync("/")).EnsureSuccessStatusCode();
    }
}
