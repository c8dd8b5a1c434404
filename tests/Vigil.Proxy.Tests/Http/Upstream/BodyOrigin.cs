using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Vigil.Proxy.Tests.Http.Upstream;

/// <summary>
/// A real Kestrel origin for body framing: <c>/bytes/N</c> answers N pattern bytes with a
/// Content-Length, <c>/chunked/N</c> the same in small writes without one (Kestrel chunks it),
/// <c>/empty</c> 204, <c>/etag</c> 304 when If-None-Match matches, POST <c>/sum</c> the body's length
/// and SHA-256. It records the connection of every request, to show keep-alive reuse.
/// </summary>
internal sealed class BodyOrigin : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, int> _connections = new();

    private BodyOrigin(WebApplication app) => _app = app;

    public string Address { get; private set; } = "";
    /// <summary>Distinct TCP connections that carried requests.</summary>
    public int Connections => _connections.Count;
    public int Requests => _connections.Values.Sum();

    /// <summary>Byte i of every generated body.</summary>
    public static byte Pattern(long i) => (byte)(i * 31 % 251);

    public static async Task<BodyOrigin> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var origin = new BodyOrigin(app);
        app.Run(origin.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        origin.Address = $"127.0.0.1:{new Uri(address).Port}";
        return origin;
    }

    private async Task HandleAsync(HttpContext context)
    {
        _connections.AddOrUpdate(context.Connection.Id, 1, (_, n) => n + 1);
        var request = context.Request;
        var response = context.Response;
        var path = request.Path.Value ?? "";
        if (HttpMethods.IsPost(request.Method) && path == "/sum")
        {
            using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
            var buffer = new byte[16 * 1024];
            long total = 0;
            int n;
            while ((n = await request.Body.ReadAsync(buffer, context.RequestAborted)) > 0)
            {
                sha.AppendData(buffer, 0, n);
                total += n;
            }
            var chunked = request.Headers.TransferEncoding.ToString();
            await response.WriteAsync($"{total}:{Convert.ToHexString(sha.GetHashAndReset())}:te={chunked}:cl={request.ContentLength}");
            return;
        }
        if (path.StartsWith("/bytes/"))
        {
            var size = long.Parse(path["/bytes/".Length..]);
            response.ContentLength = size;
            response.ContentType = "application/octet-stream";
            if (HttpMethods.IsHead(request.Method)) return;
            await WritePatternAsync(response, size, 64 * 1024, context.RequestAborted);
            return;
        }
        if (path.StartsWith("/chunked/"))
        {
            var size = long.Parse(path["/chunked/".Length..]);
            await response.StartAsync(); // no Content-Length: Kestrel sends chunked
            await WritePatternAsync(response, size, 3001, context.RequestAborted);
            return;
        }
        if (path == "/empty")
        {
            response.StatusCode = StatusCodes.Status204NoContent;
            response.Headers["X-Empty"] = "yes";
            return;
        }
        if (path == "/etag")
        {
            response.Headers.ETag = "\"v1\"";
            if (request.Headers.IfNoneMatch == "\"v1\"")
            {
                response.StatusCode = StatusCodes.Status304NotModified;
                return;
            }
            await response.WriteAsync("fresh body");
            return;
        }
        if (path == "/headers")
        {
            // Every header name the origin received, sorted, lower-cased.
            var names = request.Headers.Keys.Select(k => k.ToLowerInvariant()).Order();
            await response.WriteAsync(string.Join(",", names));
            return;
        }
        await response.WriteAsync("ok");
    }

    private static async Task WritePatternAsync(HttpResponse response, long size, int piece, CancellationToken cancellationToken)
    {
        var buffer = new byte[piece];
        for (long offset = 0; offset < size; offset += piece)
        {
            var count = (int)Math.Min(piece, size - offset);
            for (var i = 0; i < count; i++) buffer[i] = Pattern(offset + i);
            await response.Body.WriteAsync(buffer.AsMemory(0, count), cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(cts.Token);
        await _app.DisposeAsync();
    }
}
