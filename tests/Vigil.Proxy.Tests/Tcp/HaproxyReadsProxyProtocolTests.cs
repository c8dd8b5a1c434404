using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using static Vigil.Proxy.Tests.Tcp.TcpTestKit;

namespace Vigil.Proxy.Tests.Tcp;

/// <summary>
/// A real consumer reads Vigil's PROXY headers: client → Vigil (send_proxy) → HAProxy
/// (<c>accept-proxy</c>, mode http) → Kestrel origin, which answers with the source HAProxy saw.
/// </summary>
public class HaproxyReadsProxyProtocolTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Haproxy_sees_the_real_client_address(int sendProxy)
    {
        await using var origin = await StartOriginAsync();
        await using var haproxy = await HaproxyProcess.StartAsync(port => $"""
            global
                maxconn 64
            defaults
                mode http
                timeout connect 5s
                timeout client 10s
                timeout server 10s
            frontend fe
                bind 127.0.0.1:{port} accept-proxy
                http-request set-header X-Client-Src %[src]:%[src_port]
                http-request set-header X-Client-Dst %[dst]:%[dst_port]
                default_backend be
            backend be
                server origin {origin.Urls.Single().Replace("http://", "")}
            """);
        await using var listener = StartListener(NewPool([haproxy.EndPoint], sendProxy: sendProxy));

        // A client address other than 127.0.0.1, so it can only reach HAProxy through the header.
        using var s = await ConnectAsync(listener.LocalEndPoint!, IPAddress.Parse("127.0.0.5"));
        await SendAsync(s, "GET / HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");
        var response = Encoding.ASCII.GetString(await ReceiveExactlyAsync(s, 64 * 1024));

        Assert.StartsWith("HTTP/1.1 200", response);
        var clientPort = ((IPEndPoint)s.LocalEndPoint!).Port;
        Assert.Contains($"src=127.0.0.5:{clientPort}", response);
        Assert.Contains($"dst={listener.LocalEndPoint}", response);
    }

    private static async Task<WebApplication> StartOriginAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapGet("/", (HttpRequest r) => $"src={r.Headers["X-Client-Src"]} dst={r.Headers["X-Client-Dst"]}");
        await app.StartAsync();
        return app;
    }
}
