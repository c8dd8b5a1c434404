using System.Diagnostics.Metrics;
using System.Net;
using Vigil.Proxy.Http;

namespace Vigil.Proxy.Tests.Http;

public class HttpMetricsTests
{
    /// <summary>Collects the measurements of one instrument whose tags include the given listener or pool.</summary>
    private sealed class Recorder : IDisposable
    {
        private readonly MeterListener _listener = new();
        public List<(string Instrument, double Value, Dictionary<string, string?> Tags)> Measurements { get; } = [];

        public Recorder()
        {
            _listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == "Vigil.Proxy") l.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Add(i, v, tags));
            _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Add(i, v, tags));
            _listener.Start();
        }

        private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var copy = new Dictionary<string, string?>();
            foreach (var t in tags) copy[t.Key] = t.Value?.ToString();
            lock (Measurements) Measurements.Add((instrument.Name, value, copy));
        }

        public List<(double Value, Dictionary<string, string?> Tags)> Of(string instrument, string tag, string value)
        {
            lock (Measurements)
                return Measurements.Where(m => m.Instrument == instrument && m.Tags.GetValueOrDefault(tag) == value)
                    .Select(m => (m.Value, m.Tags)).ToList();
        }

        public void Dispose() => _listener.Dispose();
    }

    [Fact]
    public async Task Requests_duration_failures_and_retries_are_published_with_their_tags()
    {
        using var recorder = new Recorder();
        var listener = $"metrics-{Guid.NewGuid():N}";
        var poolName = $"pool-{Guid.NewGuid():N}";
        await using var origin = await Origin.StartAsync("o1");
        var dead = TestPools.DeadAddress();
        var pool = TestPools.Create(poolName, [dead, origin.Address]);
        await using var proxy = await ProxyServer.StartAsync(pool, new HttpProxyOptions { ListenerName = listener });

        for (var i = 0; i < 4; i++)
        {
            using var response = await proxy.Client.GetAsync("/");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        // POST until one meets the dead backend: it is not retried and answers 502.
        var posts = 0;
        var badGateway = false;
        while (!badGateway && posts < 4)
        {
            posts++;
            using var response = await proxy.Client.PostAsync("/", new StringContent("x"));
            badGateway = response.StatusCode == HttpStatusCode.BadGateway;
        }
        Assert.True(badGateway);

        var requests = recorder.Of("vigil_http_requests_total", "listener", listener);
        Assert.Equal(4 + posts, requests.Count);
        Assert.All(requests, r => Assert.Equal("all", r.Tags["route"]));
        Assert.All(requests, r => Assert.Equal(poolName, r.Tags["pool"]));
        Assert.Equal(3 + posts, requests.Count(r => r.Tags["status"] == "2xx"));
        Assert.Equal(1, requests.Count(r => r.Tags["status"] == "5xx"));

        var durations = recorder.Of("vigil_http_request_duration_seconds", "listener", listener);
        Assert.Equal(5, durations.Count);
        Assert.All(durations, d => Assert.InRange(d.Value, 0, 20));

        var failures = recorder.Of("vigil_upstream_failures_total", "pool", poolName);
        var deadBackend = pool.Find(dead)!;
        Assert.True(failures.Count >= 2, "round-robin over two backends sends some GETs and the last POST to the dead one");
        Assert.Equal(deadBackend.Counters.Failures, failures.Count);
        Assert.All(failures, f => Assert.Equal(dead, f.Tags["backend"]));
        Assert.All(failures, f => Assert.Equal("connect", f.Tags["reason"]));

        // Every failed GET was retried; the failed POST was not.
        Assert.Equal(failures.Count - 1, recorder.Of("vigil_http_retries_total", "listener", listener).Count);
    }

    [Theory]
    [InlineData(101, "1xx")]
    [InlineData(200, "2xx")]
    [InlineData(304, "3xx")]
    [InlineData(404, "4xx")]
    [InlineData(503, "5xx")]
    [InlineData(999, "5xx")]
    public void Status_class_names_the_hundreds(int status, string expected) =>
        Assert.Equal(expected, HttpMetrics.StatusClass(status));
}
