using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Vigil.Proxy.Tcp;
using static Vigil.Proxy.Tests.Tcp.TcpTestKit;

namespace Vigil.Proxy.Tests.Tcp;

public class TcpProxyMetricsTests
{
    /// <summary>Sums measurements of the Vigil.Proxy.Tcp meter, keyed by instrument and tags.</summary>
    private sealed class Recorder : IDisposable
    {
        private readonly MeterListener _listener = new();

        public Recorder()
        {
            _listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == TcpProxyMetrics.MeterName) l.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            {
                var key = instrument.Name + string.Concat(tags.ToArray().OrderBy(t => t.Key).Select(t => $"|{t.Key}={t.Value}"));
                Totals.AddOrUpdate(key, value, (_, old) => old + value);
            });
            _listener.Start();
        }

        public ConcurrentDictionary<string, long> Totals { get; } = new();

        public long Get(string key) => Totals.GetValueOrDefault(key);

        public void Dispose() => _listener.Dispose();
    }

    [Fact]
    public async Task Connections_bytes_failures_refusals_and_header_errors_are_measured()
    {
        using var recorder = new Recorder();
        await using var echo = new EchoServer();
        var dead = ClosedPort();
        var pool = NewPool([dead, echo.EndPoint]);
        await using var listener = StartListener(pool, o => o with { MaxConnections = 1, OnLimit = ConnectionLimitMode.Refuse });
        var name = listener.Options.Name;

        for (var i = 0; i < 4; i++)
        {
            using var s = await ConnectAsync(listener.LocalEndPoint!);
            Assert.Equal("12345", await EchoAsync(s, "12345"));
            s.Shutdown(System.Net.Sockets.SocketShutdown.Send);
            Assert.True(await ClosedWithinAsync(s, Deadline));
            Assert.True(await EventuallyAsync(() => listener.ConnectionsOpen == 0));
        }
        using (var held = await ConnectAsync(listener.LocalEndPoint!))
        {
            Assert.Equal("x", await EchoAsync(held, "x"));
            using var refused = await ConnectAsync(listener.LocalEndPoint!);
            Assert.True(await ClosedWithinAsync(refused, Deadline));
        }
        Assert.True(await EventuallyAsync(() => listener.ConnectionsOpen == 0));

        Assert.Equal(6, recorder.Get($"vigil_tcp_connections_total|listener={name}"));
        Assert.Equal(1, recorder.Get($"vigil_tcp_connections_refused_total|listener={name}"));
        Assert.Equal(0, recorder.Get($"vigil_tcp_connections_open|listener={name}"));
        Assert.Equal(21, recorder.Get($"vigil_tcp_bytes_total|direction=in|listener={name}"));
        Assert.Equal(21, recorder.Get($"vigil_tcp_bytes_total|direction=out|listener={name}"));
        var failures = recorder.Get($"vigil_tcp_backend_connect_failures_total|backend={dead}|pool={pool.Name}");
        Assert.True(failures >= 1);
        Assert.Equal(pool.Find(dead.ToString())!.Counters.ConnectFailures, failures);
        Assert.Equal(0, recorder.Get($"vigil_tcp_backend_connect_failures_total|backend={echo.EndPoint}|pool={pool.Name}"));
        Assert.Equal(21, pool.Find(echo.EndPoint.ToString())!.Counters.BytesIn);
    }

    [Fact]
    public async Task Proxy_header_errors_are_measured_per_listener()
    {
        using var recorder = new Recorder();
        await using var echo = new EchoServer();
        await using var listener = StartListener(NewPool([echo.EndPoint]), o => o with { AcceptProxy = true });

        for (var i = 0; i < 3; i++)
        {
            using var s = await ConnectAsync(listener.LocalEndPoint!);
            await SendAsync(s, "NOT A PROXY HEADER\r\n");
            Assert.True(await ClosedWithinAsync(s, Deadline));
        }

        Assert.True(await EventuallyAsync(() => recorder.Get($"vigil_tcp_proxy_header_errors_total|listener={listener.Options.Name}") == 3));
        Assert.Equal(3, listener.ProxyHeaderErrors);
    }
}
