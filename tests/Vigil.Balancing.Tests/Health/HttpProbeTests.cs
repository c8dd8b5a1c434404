using Vigil.Balancing.Health;

namespace Vigil.Balancing.Tests.Health;

public class HttpProbeTests
{
    private static HttpProbe Probe(string? expectBody = null, string? host = null) => new(new HealthCheckOptions
    {
        Kind = HealthCheckKind.Http,
        Path = "/healthz",
        Host = host,
        ExpectStatusMin = 200,
        ExpectStatusMax = 299,
        ExpectBody = expectBody,
        Timeout = TimeSpan.FromSeconds(2),
    });

    [Fact]
    public async Task Up_on_200_with_path_and_host_sent()
    {
        await using var origin = await HttpOrigin.StartAsync();
        using var probe = Probe(host: "www.example.test");
        var result = await probe.ProbeAsync(origin.EndPoint, CancellationToken.None);
        Assert.True(result.Healthy, result.Detail);
        Assert.Equal("status 200", result.Detail);
        Assert.Equal("/healthz", origin.LastPath);
        Assert.Equal("www.example.test", origin.LastHost);
    }

    [Fact]
    public async Task Down_on_a_status_out_of_range()
    {
        await using var origin = await HttpOrigin.StartAsync();
        origin.Status = 503;
        using var probe = Probe();
        var result = await probe.ProbeAsync(origin.EndPoint, CancellationToken.None);
        Assert.False(result.Healthy);
        Assert.Equal("status 503", result.Detail);
    }

    [Fact]
    public async Task Body_substring_decides_when_configured()
    {
        await using var origin = await HttpOrigin.StartAsync();
        using var probe = Probe(expectBody: "\"status\":\"ready\"");
        origin.Body = "{\"status\":\"starting\"}";
        var starting = await probe.ProbeAsync(origin.EndPoint, CancellationToken.None);
        origin.Body = "{\"status\":\"ready\"}";
        var ready = await probe.ProbeAsync(origin.EndPoint, CancellationToken.None);
        Assert.False(starting.Healthy);
        Assert.Contains("body lacks", starting.Detail);
        Assert.True(ready.Healthy, ready.Detail);
    }

    [Fact]
    public async Task Down_with_connection_refused_when_nothing_listens()
    {
        using var probe = Probe();
        var result = await probe.ProbeAsync(Loopback.ClosedPort(), CancellationToken.None);
        Assert.False(result.Healthy);
        Assert.Equal("connection refused", result.Detail);
    }

    [Fact]
    public async Task Reconnects_after_the_origin_restarts_on_the_same_port()
    {
        // The probe keeps a pooled keep-alive connection; a restarted origin must still be seen.
        await using var origin = await HttpOrigin.StartAsync();
        using var probe = Probe();
        Assert.True((await probe.ProbeAsync(origin.EndPoint, CancellationToken.None)).Healthy);
        var endpoint = origin.EndPoint;
        await origin.StopAsync();
        Assert.Equal("connection refused", (await probe.ProbeAsync(endpoint, CancellationToken.None)).Detail);
        await origin.StartAsync(endpoint.Port);
        Assert.True((await probe.ProbeAsync(endpoint, CancellationToken.None)).Healthy);
    }
}
