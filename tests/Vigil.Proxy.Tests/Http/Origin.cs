using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Vigil.Proxy.Tests.Http;

/// <summary>
/// A real Kestrel origin on 127.0.0.1 and a free port that answers with its own id.
/// <c>/headers</c> echoes what the proxy sent, <c>/gate</c> waits for <see cref="ReleaseGate"/>,
/// <c>/slow</c> never answers (until the request is aborted), POST reads the body, WebSockets echo.
/// </summary>
internal sealed class Origin : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _hits;
    private int _posts;
    private bool _stopped;

    private Origin(string id, WebApplication app)
    {
        Id = id;
        _app = app;
    }

    public string Id { get; }
    public IPEndPoint EndPoint { get; private set; } = null!;
    public string Address => $"127.0.0.1:{EndPoint.Port}";
    public int Hits => Volatile.Read(ref _hits);
    public int Posts => Volatile.Read(ref _posts);
    /// <summary>Completes when a <c>/gate</c> request has arrived.</summary>
    public Task GateEntered => _entered.Task;
    public void ReleaseGate() => _gate.TrySetResult();

    public static async Task<Origin> StartAsync(string id)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var origin = new Origin(id, app);
        app.UseWebSockets();
        app.Run(origin.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        origin.EndPoint = new IPEndPoint(IPAddress.Loopback, new Uri(address).Port);
        return origin;
    }

    private async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref _hits);
        var request = context.Request;
        context.Response.Headers["X-Origin"] = Id;
        if (context.WebSockets.IsWebSocketRequest)
        {
            // Echoes each text message prefixed with the origin's id until the client closes.
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            var buffer = new byte[1024];
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer, context.RequestAborted);
                if (received.MessageType == System.Net.WebSockets.WebSocketMessageType.Close)
                {
                    await socket.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, null, context.RequestAborted);
                    return;
                }
                var reply = System.Text.Encoding.UTF8.GetBytes($"{Id}:{System.Text.Encoding.UTF8.GetString(buffer, 0, received.Count)}");
                await socket.SendAsync(reply, System.Net.WebSockets.WebSocketMessageType.Text, true, context.RequestAborted);
            }
        }
        if (HttpMethods.IsPost(request.Method))
        {
            Interlocked.Increment(ref _posts);
            using var reader = new StreamReader(request.Body);
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            await context.Response.WriteAsync($"{Id}:{body}");
            return;
        }
        switch (request.Path.Value)
        {
            case "/headers":
                var h = request.Headers;
                await context.Response.WriteAsync(
                    $"xff={h["X-Forwarded-For"]};proto={h["X-Forwarded-Proto"]};xfh={h["X-Forwarded-Host"]};host={h.Host}");
                return;
            case "/gate":
                _entered.TrySetResult();
                await _gate.Task.WaitAsync(context.RequestAborted);
                break;
            case "/slow":
                try { await Task.Delay(Timeout.Infinite, context.RequestAborted); }
                catch (OperationCanceledException) { }
                return;
        }
        await context.Response.WriteAsync(Id);
    }

    /// <summary>Stops listening (new connections are refused) after in-flight requests finish.</summary>
    public async Task StopAsync()
    {
        if (_stopped) return;
        _stopped = true;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(cts.Token);
    }

    public async ValueTask DisposeAsync()
    {
        ReleaseGate();
        await StopAsync();
        await _app.DisposeAsync();
    }
}
