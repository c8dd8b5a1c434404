using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using Vigil.Balancing;
using Vigil.Proxy.Tcp;
using static Vigil.Proxy.Tests.Tcp.TcpTestKit;

namespace Vigil.Proxy.Tests.Tcp;

public class TcpProxyListenerTests
{
    /// <summary>The copy mode under test; <see cref="TcpProxyListenerSpliceTests"/> runs every test again with splice.</summary>
    protected virtual TcpCopyMode CopyMode => TcpCopyMode.Buffered;

    private TcpProxyListener StartListener(Pool pool, Func<TcpListenerOptions, TcpListenerOptions>? configure = null, TimeProvider? time = null) =>
        TcpTestKit.StartListener(pool, o => (configure?.Invoke(o) ?? o) with { CopyMode = CopyMode }, time);

    [Fact]
    public async Task A_large_transfer_to_a_slow_reader_arrives_intact()
    {
        await using var echo = new EchoServer();
        await using var listener = StartListener(NewPool([echo.EndPoint]));
        var payload = new byte[8 << 20];
        new Random(7).NextBytes(payload);

        using var s = await ConnectAsync(listener.LocalEndPoint!);
        // Send everything before reading: socket buffers fill up on every hop, so each pump meets
        // a full receiver (splice's fallback path) and must wait rather than lose or reorder bytes.
        var send = Task.Run(async () =>
        {
            await s.SendAsync(payload);
            s.Shutdown(SocketShutdown.Send);
        });
        await Task.Delay(300);
        var echoed = await ReceiveExactlyAsync(s, payload.Length + 1, TimeSpan.FromSeconds(30));
        await send;

        Assert.Equal(payload.Length, echoed.Length);
        Assert.True(payload.AsSpan().SequenceEqual(echoed));
        Assert.True(await EventuallyAsync(() => listener.BytesOut == payload.Length));
        Assert.Equal(payload.Length, listener.BytesIn);
    }

    [Fact]
    public async Task Connections_are_balanced_across_three_backends()
    {
        await using var a = new EchoServer("a");
        await using var b = new EchoServer("b");
        await using var c = new EchoServer("c");
        var pool = NewPool([a.EndPoint, b.EndPoint, c.EndPoint]);
        await using var listener = StartListener(pool);

        for (var i = 0; i < 30; i++)
        {
            using var s = await ConnectAsync(listener.LocalEndPoint!);
            Assert.Equal($"ping {i}", await EchoAsync(s, $"ping {i}"));
        }

        // Round-robin over three: ten each, as counted by the backends themselves.
        Assert.Equal([10, 10, 10], new[] { a.Accepted, b.Accepted, c.Accepted });
        Assert.True(await EventuallyAsync(() => listener.ConnectionsOpen == 0));
        Assert.Equal(30, listener.ConnectionsTotal);
        Assert.All(pool.Backends, x => Assert.Equal(10, x.Counters.Requests));
        Assert.All(pool.Backends, x => Assert.Equal(0, x.Counters.Active));
    }

    [Fact]
    public async Task Source_hash_keeps_each_client_on_one_backend()
    {
        // The backends read a PROXY v1 header, so each learns which client a connection is for.
        await using var a = new EchoServer("a", expectProxy: true);
        await using var b = new EchoServer("b", expectProxy: true);
        await using var c = new EchoServer("c", expectProxy: true);
        var servers = new[] { a, b, c };
        var pool = NewPool([a.EndPoint, b.EndPoint, c.EndPoint], SchedulerKind.SourceHash, sendProxy: 1);
        await using var listener = StartListener(pool);

        for (var client = 2; client <= 9; client++)
        {
            var source = IPAddress.Parse($"127.0.0.{client}");
            for (var i = 0; i < 4; i++)
            {
                using var s = await ConnectAsync(listener.LocalEndPoint!, source);
                Assert.Equal("hi", await EchoAsync(s, "hi"));
            }
        }

        var seen = servers
            .SelectMany(s => s.Headers.Select(h => (Client: h.Source!.Address.ToString(), Server: s.Name)))
            .ToList();
        Assert.Equal(32, seen.Count);
        foreach (var group in seen.GroupBy(x => x.Client))
            Assert.Single(group.Select(x => x.Server).Distinct());
        // Eight clients do not all hash to one backend.
        Assert.True(seen.Select(x => x.Server).Distinct().Count() >= 2);
    }

    [Fact]
    public async Task A_refused_backend_is_skipped_and_counted()
    {
        await using var live = new EchoServer();
        var dead = ClosedPort();
        var pool = NewPool([dead, live.EndPoint]);
        await using var listener = StartListener(pool);

        for (var i = 0; i < 6; i++)
        {
            using var s = await ConnectAsync(listener.LocalEndPoint!);
            Assert.Equal("ok", await EchoAsync(s, "ok"));
        }

        Assert.Equal(6, live.Accepted);
        var deadBackend = pool.Find(dead.ToString())!;
        Assert.True(deadBackend.Counters.ConnectFailures >= 1);
        Assert.Equal(deadBackend.Counters.ConnectFailures, deadBackend.Counters.Failures);
        Assert.Equal(0, pool.Find(live.EndPoint.ToString())!.Counters.ConnectFailures);
        Assert.Equal(0, listener.NoBackendErrors);
    }

    [Fact]
    public async Task No_reachable_backend_closes_the_client_and_is_counted()
    {
        var pool = NewPool([ClosedPort(), ClosedPort()]);
        await using var listener = StartListener(pool);

        using var s = await ConnectAsync(listener.LocalEndPoint!);
        Assert.True(await ClosedWithinAsync(s, Deadline));
        Assert.True(await EventuallyAsync(() => listener.NoBackendErrors == 1));
        Assert.All(pool.Backends, x => Assert.Equal(1, x.Counters.ConnectFailures));
    }

    [Fact]
    public async Task A_backend_that_does_not_answer_times_out_and_the_next_is_used()
    {
        // A listener whose accept queue is full drops further SYNs, so a connect to it hangs.
        using var stuck = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        stuck.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        stuck.Listen(0);
        var filler = new List<Socket>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                var f = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                filler.Add(f);
                _ = f.ConnectAsync(stuck.LocalEndPoint!);
            }
            await Task.Delay(200);

            await using var live = new EchoServer();
            var pool = NewPool([(IPEndPoint)stuck.LocalEndPoint!, live.EndPoint]);
            await using var listener = StartListener(pool, o => o with { ConnectTimeout = TimeSpan.FromSeconds(1) });

            for (var i = 0; i < 2; i++)
            {
                using var s = await ConnectAsync(listener.LocalEndPoint!);
                Assert.Equal("late", await EchoAsync(s, "late"));
            }
            Assert.True(pool.Backends[0].Counters.ConnectFailures >= 1);
            Assert.Equal(2, live.Accepted);
        }
        finally
        {
            foreach (var f in filler) f.Dispose();
        }
    }

    [Fact]
    public async Task Half_close_keeps_the_other_direction_open()
    {
        await using var echo = new EchoServer();
        await using var listener = StartListener(NewPool([echo.EndPoint]));
        var payload = new byte[1 << 20];
        new Random(42).NextBytes(payload);

        using var s = await ConnectAsync(listener.LocalEndPoint!);
        var receive = ReceiveExactlyAsync(s, payload.Length + 1); // +1: proves EOF follows the echo
        await s.SendAsync(payload);
        s.Shutdown(SocketShutdown.Send); // FIN from the client; the echo must still come back in full

        var echoed = await receive;
        Assert.Equal(payload.Length, echoed.Length);
        Assert.True(payload.AsSpan().SequenceEqual(echoed));
        Assert.True(await EventuallyAsync(() => listener.ConnectionsOpen == 0));
        Assert.Equal(payload.Length, listener.BytesIn);
        Assert.Equal(payload.Length, listener.BytesOut);
        Assert.Equal(1, echo.Accepted);
    }

    [Fact]
    public async Task Idle_connections_are_closed()
    {
        // Fake time: the watchdog's clock moves only when the test says so, so a loaded machine
        // cannot make the busy connection look idle.
        var time = new FakeTimeProvider();
        await using var echo = new EchoServer();
        await using var listener = StartListener(NewPool([echo.EndPoint]), o => o with { IdleTimeout = TimeSpan.FromMilliseconds(300) }, time);

        using var busy = await ConnectAsync(listener.LocalEndPoint!);
        using var idle = await ConnectAsync(listener.LocalEndPoint!);
        Assert.Equal("x", await EchoAsync(idle, "x"));
        Assert.Equal("b", await EchoAsync(busy, "b"));

        time.Advance(TimeSpan.FromMilliseconds(200));
        Assert.Equal("b", await EchoAsync(busy, "b"));
        Assert.Equal("x", await EchoAsync(idle, "x"));
        time.Advance(TimeSpan.FromMilliseconds(200));
        Assert.Equal("b", await EchoAsync(busy, "b"));
        time.Advance(TimeSpan.FromMilliseconds(200));
        Assert.Equal("b", await EchoAsync(busy, "b"));
        // idle: quiet since t=200, now t=600 > 300 ms. busy: last byte at t=600.
        time.Advance(TimeSpan.FromMilliseconds(200));

        Assert.True(await ClosedWithinAsync(idle, Deadline));
        Assert.Equal("b", await EchoAsync(busy, "b"));
        Assert.Equal(1, listener.IdleTimeouts);

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(await ClosedWithinAsync(busy, Deadline));
        Assert.True(await EventuallyAsync(() => listener.IdleTimeouts == 2));
    }

    [Fact]
    public async Task At_the_limit_refuse_mode_closes_new_connections()
    {
        await using var echo = new EchoServer();
        await using var listener = StartListener(NewPool([echo.EndPoint]),
            o => o with { MaxConnections = 2, OnLimit = ConnectionLimitMode.Refuse });

        using var one = await ConnectAsync(listener.LocalEndPoint!);
        using var two = await ConnectAsync(listener.LocalEndPoint!);
        Assert.Equal("1", await EchoAsync(one, "1"));
        Assert.Equal("2", await EchoAsync(two, "2"));

        using var three = await ConnectAsync(listener.LocalEndPoint!);
        Assert.True(await ClosedWithinAsync(three, Deadline));
        Assert.Equal(1, listener.ConnectionsRefused);

        one.Dispose();
        Assert.True(await EventuallyAsync(() => listener.ConnectionsOpen == 1));
        using var four = await ConnectAsync(listener.LocalEndPoint!);
        Assert.Equal("4", await EchoAsync(four, "4"));
        Assert.Equal(3, echo.Accepted); // the refused one never reached the backend
    }

    [Fact]
    public async Task At_the_limit_queue_mode_holds_new_connections_in_the_backlog()
    {
        await using var echo = new EchoServer();
        await using var listener = StartListener(NewPool([echo.EndPoint]),
            o => o with { MaxConnections = 1, OnLimit = ConnectionLimitMode.Queue });

        using var first = await ConnectAsync(listener.LocalEndPoint!);
        Assert.Equal("first", await EchoAsync(first, "first"));

        // The kernel completes the handshake, but Vigil does not accept it while at the limit.
        using var second = await ConnectAsync(listener.LocalEndPoint!);
        await SendAsync(second, "second");
        var early = await ReceiveExactlyAsync(second, 6, TimeSpan.FromMilliseconds(500)).ContinueWith(t => t.IsCompletedSuccessfully ? t.Result.Length : 0);
        Assert.Equal(0, early);
        Assert.Equal(1, echo.Accepted);

        first.Dispose();
        Assert.Equal("second"u8.ToArray(), await ReceiveExactlyAsync(second, 6));
        Assert.Equal(2, echo.Accepted);
        Assert.Equal(0, listener.ConnectionsRefused);
    }

    [Fact]
    public async Task Drain_lets_open_connections_finish_and_accepts_no_new_ones()
    {
        await using var echo = new EchoServer();
        var listener = StartListener(NewPool([echo.EndPoint]), o => o with { DrainTimeout = TimeSpan.FromSeconds(30) });
        var endPoint = listener.LocalEndPoint!;

        using var open = await ConnectAsync(endPoint);
        Assert.Equal("before", await EchoAsync(open, "before"));

        var drain = listener.DrainAsync();
        var refused = await Assert.ThrowsAsync<SocketException>(async () => (await ConnectAsync(endPoint)).Dispose());
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);

        Assert.Equal("during", await EchoAsync(open, "during"));
        Assert.False(drain.IsCompleted);

        open.Shutdown(SocketShutdown.Send);
        Assert.True(await ClosedWithinAsync(open, Deadline));
        await drain.WaitAsync(Deadline);
        Assert.Equal(0, listener.ConnectionsOpen);
        Assert.Equal(1, listener.ConnectionsTotal);
    }

    [Fact]
    public async Task Drain_in_queue_mode_at_the_limit_still_ends_at_the_drain_timeout()
    {
        await using var echo = new EchoServer();
        var listener = StartListener(NewPool([echo.EndPoint]),
            o => o with { MaxConnections = 1, OnLimit = ConnectionLimitMode.Queue, DrainTimeout = TimeSpan.FromMilliseconds(300) });

        using var open = await ConnectAsync(listener.LocalEndPoint!);
        Assert.Equal("x", await EchoAsync(open, "x"));
        // The accept loop now waits for a free slot; drain must not wait for it forever.
        await listener.DrainAsync().WaitAsync(Deadline);
        Assert.True(await ClosedWithinAsync(open, Deadline));
    }

    [Fact]
    public async Task A_new_listener_can_take_the_address_while_the_old_one_drains()
    {
        // The reload path: stop accepting on the old listener, bind the new one to the same
        // address, and let the old one's connections finish.
        await using var echo = new EchoServer();
        var pool = NewPool([echo.EndPoint]);
        var old = StartListener(pool, o => o with { DrainTimeout = TimeSpan.FromSeconds(30) });
        using var before = await ConnectAsync(old.LocalEndPoint!);
        Assert.Equal("old", await EchoAsync(before, "old"));

        old.StopAccepting();
        await using var replacement = StartListener(pool, o => o with { EndPoint = old.LocalEndPoint! });
        var drained = old.DrainAsync();

        using var after = await ConnectAsync(replacement.LocalEndPoint!);
        Assert.Equal("new", await EchoAsync(after, "new"));
        Assert.Equal("still", await EchoAsync(before, "still"));
        Assert.Equal(1, replacement.ConnectionsTotal);
        Assert.Equal(1, old.ConnectionsTotal);

        before.Dispose();
        await drained.WaitAsync(Deadline);
    }

    [Fact]
    public async Task Drain_cuts_connections_still_open_at_the_drain_timeout()
    {
        await using var echo = new EchoServer();
        var listener = StartListener(NewPool([echo.EndPoint]), o => o with { DrainTimeout = TimeSpan.FromMilliseconds(300) });

        using var open = await ConnectAsync(listener.LocalEndPoint!);
        Assert.Equal("x", await EchoAsync(open, "x"));
        await listener.DrainAsync().WaitAsync(Deadline);

        Assert.True(await ClosedWithinAsync(open, Deadline));
        Assert.Equal(0, listener.ConnectionsOpen);
    }

    [Fact]
    public async Task The_pool_is_looked_up_per_connection_so_a_reload_can_swap_it()
    {
        await using var oldServer = new EchoServer();
        await using var newServer = new EchoServer();
        var current = NewPool([oldServer.EndPoint]);
        var options = new TcpListenerOptions { Name = "swap", EndPoint = new IPEndPoint(IPAddress.Loopback, 0), Pool = "p" };
        await using var listener = new TcpProxyListener(options, () => current);
        listener.Start();

        using (var s = await ConnectAsync(listener.LocalEndPoint!)) Assert.Equal("a", await EchoAsync(s, "a"));
        current = NewPool([newServer.EndPoint]);
        using (var s = await ConnectAsync(listener.LocalEndPoint!)) Assert.Equal("b", await EchoAsync(s, "b"));

        Assert.Equal(1, oldServer.Accepted);
        Assert.Equal(1, newServer.Accepted);
    }
}

/// <summary>Every listener test again with the splice(2) copy path (Linux).</summary>
public class TcpProxyListenerSpliceTests : TcpProxyListenerTests
{
    protected override TcpCopyMode CopyMode => TcpCopyMode.Splice;

    [Fact]
    public void Splice_is_available_on_this_machine()
    {
        // The splice tests would silently run the buffered path otherwise.
        Assert.Equal(OperatingSystem.IsLinux(), SplicePump.IsSupported);
    }
}

/// <summary>Every listener test again in auto mode (buffered, then splice once a direction carries bulk).</summary>
public class TcpProxyListenerAutoCopyTests : TcpProxyListenerTests
{
    protected override TcpCopyMode CopyMode => TcpCopyMode.Auto;

    [Fact]
    public async Task Small_exchanges_stay_buffered_and_bulk_switches_to_splice()
    {
        await using var echo = new EchoServer();
        await using var listener = TcpTestKit.StartListener(NewPool([echo.EndPoint]), o => o with { CopyMode = TcpCopyMode.Auto });

        using (var small = await ConnectAsync(listener.LocalEndPoint!))
        {
            for (var i = 0; i < 20; i++) Assert.Equal("request", await EchoAsync(small, "request"));
        }
        Assert.Equal(0, listener.SplicedFlows);

        using var bulk = await ConnectAsync(listener.LocalEndPoint!);
        var payload = new byte[4 << 20];
        new Random(3).NextBytes(payload);
        var send = Task.Run(async () =>
        {
            await bulk.SendAsync(payload);
            bulk.Shutdown(SocketShutdown.Send);
        });
        await Task.Delay(200); // let buffers fill so reads come back full
        var echoed = await ReceiveExactlyAsync(bulk, payload.Length + 1, TimeSpan.FromSeconds(30));
        await send;
        Assert.True(payload.AsSpan().SequenceEqual(echoed));
        Assert.True(listener.SplicedFlows >= 1);
    }
}
