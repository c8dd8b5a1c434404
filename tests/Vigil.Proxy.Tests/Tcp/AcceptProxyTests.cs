using System.Net;
using Microsoft.Extensions.Time.Testing;
using static Vigil.Proxy.Tests.Tcp.TcpTestKit;

namespace Vigil.Proxy.Tests.Tcp;

/// <summary>Listeners with <c>accept_proxy: true</c>: the PROXY header from a balancer in front is read, relayed, or refused.</summary>
public class AcceptProxyTests
{
    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: x\r\n\r\n")]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 99999 1\r\n")]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n\n")]
    public async Task A_malformed_header_closes_the_connection_and_is_counted(string first)
    {
        await using var echo = new EchoServer();
        await using var listener = StartListener(NewPool([echo.EndPoint]), o => o with { AcceptProxy = true });

        using var s = await ConnectAsync(listener.LocalEndPoint!);
        await SendAsync(s, first);

        Assert.True(await ClosedWithinAsync(s, Deadline));
        Assert.True(await EventuallyAsync(() => listener.ProxyHeaderErrors == 1));
        Assert.Equal(0, echo.Accepted);
    }

    [Fact]
    public async Task A_header_that_never_completes_times_out_and_is_counted()
    {
        var time = new FakeTimeProvider();
        await using var echo = new EchoServer();
        await using var listener = StartListener(NewPool([echo.EndPoint]),
            o => o with { AcceptProxy = true, ProxyHeaderTimeout = TimeSpan.FromSeconds(5) }, time);

        using var s = await ConnectAsync(listener.LocalEndPoint!);
        await SendAsync(s, "PROXY TCP4 1.2.3.4 ");
        Assert.False(await ClosedWithinAsync(s, TimeSpan.FromMilliseconds(200)));
        Assert.True(await EventuallyAsync(() => listener.ConnectionsOpen == 1));
        time.Advance(TimeSpan.FromSeconds(6));

        Assert.True(await ClosedWithinAsync(s, Deadline));
        Assert.True(await EventuallyAsync(() => listener.ProxyHeaderErrors == 1));
        Assert.Equal(0, echo.Accepted);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task The_client_address_from_the_header_is_relayed_to_the_backend(int sendProxy)
    {
        await using var echo = new EchoServer(expectProxy: true);
        await using var listener = StartListener(NewPool([echo.EndPoint], sendProxy: sendProxy), o => o with { AcceptProxy = true });

        using var s = await ConnectAsync(listener.LocalEndPoint!);
        // Header and first payload in one segment: the payload must reach the backend intact.
        await SendAsync(s, "PROXY TCP4 203.0.113.7 198.51.100.1 40000 3306\r\nhello");
        Assert.Equal("hello"u8.ToArray(), await ReceiveExactlyAsync(s, 5));
        Assert.Equal("again", await EchoAsync(s, "again"));

        var header = Assert.Single(echo.Headers);
        Assert.Equal(IPEndPoint.Parse("203.0.113.7:40000"), header.Source);
        Assert.Equal(IPEndPoint.Parse("198.51.100.1:3306"), header.Destination);
        Assert.Equal(0, listener.ProxyHeaderErrors);
    }

    [Fact]
    public async Task A_v2_local_header_means_the_real_connection_addresses()
    {
        await using var echo = new EchoServer(expectProxy: true);
        await using var listener = StartListener(NewPool([echo.EndPoint], sendProxy: 1), o => o with { AcceptProxy = true });

        using var s = await ConnectAsync(listener.LocalEndPoint!, IPAddress.Parse("127.0.0.9"));
        byte[] local = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, 0x20, 0x00, 0x00, 0x00];
        await s.SendAsync(local);
        Assert.Equal("ping", await EchoAsync(s, "ping"));

        var header = Assert.Single(echo.Headers);
        Assert.Equal(IPAddress.Parse("127.0.0.9"), header.Source!.Address);
        Assert.Equal(((IPEndPoint)s.LocalEndPoint!).Port, header.Source.Port);
        Assert.Equal(listener.LocalEndPoint, header.Destination);
    }

    [Fact]
    public async Task A_trusted_balancer_names_the_client()
    {
        await using var echo = new EchoServer(expectProxy: true);
        await using var listener = StartListener(NewPool([echo.EndPoint], sendProxy: 1),
            o => o with { AcceptProxy = true, TrustedProxies = [IPNetwork.Parse("127.0.0.9/32")] });

        using var s = await ConnectAsync(listener.LocalEndPoint!, IPAddress.Parse("127.0.0.9"));
        await SendAsync(s, "PROXY TCP4 203.0.113.7 198.51.100.1 40000 3306\r\n");
        Assert.Equal("ping", await EchoAsync(s, "ping"));

        var header = Assert.Single(echo.Headers);
        Assert.Equal(IPEndPoint.Parse("203.0.113.7:40000"), header.Source);
        Assert.Equal(0, listener.UntrustedPeers);
    }

    [Fact]
    public async Task A_peer_outside_trusted_proxies_is_closed_before_its_header_is_read()
    {
        await using var echo = new EchoServer(expectProxy: true);
        await using var listener = StartListener(NewPool([echo.EndPoint], sendProxy: 1),
            o => o with { AcceptProxy = true, TrustedProxies = [IPNetwork.Parse("127.0.0.9/32"), IPNetwork.Parse("::1/128")] });

        using var s = await ConnectAsync(listener.LocalEndPoint!, IPAddress.Parse("127.0.0.10"));
        // A well-formed header naming someone else: exactly what an untrusted peer must not get believed.
        await SendAsync(s, "PROXY TCP4 10.0.0.1 198.51.100.1 40000 3306\r\nhello");

        Assert.True(await ClosedWithinAsync(s, Deadline));
        Assert.True(await EventuallyAsync(() => listener.UntrustedPeers == 1));
        Assert.Equal(0, listener.ProxyHeaderErrors);
        Assert.Equal(0, echo.Accepted);
        Assert.Empty(echo.Headers);
    }

    [Fact]
    public async Task A_dual_stack_listener_matches_an_ipv4_balancer_against_an_ipv4_network()
    {
        await using var echo = new EchoServer(expectProxy: true);
        // [::] sees 127.0.0.9 as ::ffff:127.0.0.9; trusted_proxies names it the way operators write it.
        await using var listener = StartListener(NewPool([echo.EndPoint], sendProxy: 1),
            o => o with { EndPoint = new IPEndPoint(IPAddress.IPv6Any, 0), AcceptProxy = true, TrustedProxies = [IPNetwork.Parse("127.0.0.9/32")] });

        using var s = await ConnectAsync(new IPEndPoint(IPAddress.Loopback, listener.LocalEndPoint!.Port), IPAddress.Parse("127.0.0.9"));
        await SendAsync(s, "PROXY TCP4 203.0.113.7 198.51.100.1 40000 3306\r\n");
        Assert.Equal("ping", await EchoAsync(s, "ping"));
        Assert.Equal(IPEndPoint.Parse("203.0.113.7:40000"), Assert.Single(echo.Headers).Source);
    }
}

/// <summary>The whole path over IPv6: listener, backend and the PROXY v2 header all on ::1.</summary>
public class Ipv6Tests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task An_ipv6_client_is_relayed_with_its_address(int sendProxy)
    {
        await using var echo = new EchoServer(expectProxy: true, address: IPAddress.IPv6Loopback);
        await using var listener = StartListener(NewPool([echo.EndPoint], sendProxy: sendProxy),
            o => o with { EndPoint = new IPEndPoint(IPAddress.IPv6Loopback, 0) });

        using var s = await ConnectAsync(listener.LocalEndPoint!);
        Assert.Equal("six", await EchoAsync(s, "six"));

        var header = Assert.Single(echo.Headers);
        Assert.Equal(s.LocalEndPoint, header.Source);
        Assert.Equal(listener.LocalEndPoint, header.Destination);
    }
}
