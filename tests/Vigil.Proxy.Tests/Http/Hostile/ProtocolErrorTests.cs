using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.Logging;
using Vigil.Proxy.Http.Upstream;

namespace Vigil.Proxy.Tests.Http.Hostile;

/// <summary>
/// A backend's protocol error reaches the operator as one log line with its reason, and is counted
/// with reason "protocol"; never as an exception with a stack trace (from Vigil or from Kestrel).
/// </summary>
public class ProtocolErrorTests
{
    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 10\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", "Content-Length")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\nhello", "Content-Length")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n", "chunked")]
    public async Task A_protocol_error_is_one_line_with_its_reason_and_counted(string response, string reason)
    {
        var poolName = $"protocol-{Guid.NewGuid():N}";
        var failures = new List<string?>();
        using var meter = new MeterListener();
        meter.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "vigil_upstream_failures_total") l.EnableMeasurementEvents(instrument);
        };
        meter.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            var tagged = tags.ToArray();
            if (tagged.Any(t => t.Key == "pool" && (string?)t.Value == poolName))
                lock (failures) failures.Add((string?)tagged.Single(t => t.Key == "reason").Value);
        });
        meter.Start();

        using var origin = new ScriptedOrigin(async (_, stream) =>
        {
            await stream.WriteAsync(System.Text.Encoding.Latin1.GetBytes(response));
            return true;
        });
        var logs = new ListLogger(LogLevel.Trace);
        var pool = TestPools.Create(poolName, [origin.Address]);
        await using (var proxy = await ProxyServer.StartAsync(pool, logger: logs, upstream: new Http1Upstream(YarpUpstream.Create()), serverLogs: logs))
        {
            using var answer = await proxy.Client.GetAsync("/");
            Assert.Equal(HttpStatusCode.BadGateway, answer.StatusCode);
        }

        var lines = logs.Lines;
        Assert.DoesNotContain(lines, l => l.Exception is not null || l.Level >= LogLevel.Error);
        var line = Assert.Single(lines, l => l.Level >= LogLevel.Warning);
        Assert.Contains(reason, line.Message);
        Assert.Contains(origin.Address, line.Message);
        lock (failures) Assert.Equal(["protocol"], failures);
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 10\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\nhello")]
    public async Task Through_YARP_a_protocol_error_logs_no_stack_trace(string response)
    {
        using var origin = new ScriptedOrigin(async (_, stream) =>
        {
            await stream.WriteAsync(System.Text.Encoding.Latin1.GetBytes(response));
            return true;
        });
        var logs = new ListLogger(LogLevel.Trace);
        var pool = TestPools.Create($"yarp-{Guid.NewGuid():N}", [origin.Address]);
        await using (var proxy = await ProxyServer.StartAsync(pool, logger: logs, upstream: YarpUpstream.Create(), serverLogs: logs))
        {
            using var answer = await proxy.Client.GetAsync("/");
            Assert.NotEqual(HttpStatusCode.InternalServerError, answer.StatusCode);
        }
        Assert.DoesNotContain(logs.Lines, l => l.Exception is not null || l.Level >= LogLevel.Error);
    }
}
