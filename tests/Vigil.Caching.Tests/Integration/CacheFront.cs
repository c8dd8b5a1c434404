using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;
using Microsoft.Extensions.Time.Testing;

namespace Vigil.Caching.Tests.Integration;

/// <summary>
/// A real Kestrel front on 127.0.0.1:0 whose request delegate is <c>cache.HandleAsync(ctx, forwarder)</c>,
/// in front of a <see cref="TestOrigin"/>. Time is a FakeTimeProvider the test advances, and the origin
/// stamps Date from the same clock so ages are exact.
/// </summary>
internal sealed class CacheFront : IAsyncDisposable
{
    private readonly WebApplication _app;

    private CacheFront(WebApplication app, HttpCache cache, TestOrigin origin, TestForwarder forwarder, FakeTimeProvider clock)
    {
        _app = app;
        Cache = cache;
        Origin = origin;
        Forwarder = forwarder;
        Clock = clock;
        Client = new HttpClient(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false, MaxConnectionsPerServer = 256 })
        {
            BaseAddress = new Uri(app.Urls.First()),
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    public HttpCache Cache { get; }
    public TestOrigin Origin { get; }
    public TestForwarder Forwarder { get; }
    public FakeTimeProvider Clock { get; }
    public HttpClient Client { get; }

    /// <param name="yarp">Forward with YARP's IHttpForwarder (as the proxy does) instead of the HttpClient forwarder.</param>
    public static async Task<CacheFront> StartAsync(CacheOptions? options = null, bool yarp = false)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var origin = await TestOrigin.StartAsync();
        var forwarder = new TestForwarder(origin.BaseUrl);
        var cache = new HttpCache(options ?? new CacheOptions { Name = "test", MemoryBytes = 16 * CacheOptions.MiB }, clock);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        if (yarp) builder.Services.AddHttpForwarder();
        var app = builder.Build();
        if (yarp)
        {
            var yarpForwarder = app.Services.GetRequiredService<IHttpForwarder>();
            var invoker = new HttpMessageInvoker(new SocketsHttpHandler
            {
                UseProxy = false,
                AllowAutoRedirect = false,
                AutomaticDecompression = DecompressionMethods.None,
                UseCookies = false,
                ConnectTimeout = TimeSpan.FromSeconds(5),
            });
            app.Run(ctx => cache.HandleAsync(ctx, async c =>
            {
                var error = await yarpForwarder.SendAsync(c, origin.BaseUrl, invoker, ForwarderRequestConfig.Empty, HttpTransformer.Default);
                // As the proxy does: only a forward without error is a complete response the cache may store.
                c.Features.Set<IOriginOutcomeFeature>(OriginOutcomeFeature.Of(error == ForwarderError.None ? OriginOutcome.Complete : OriginOutcome.Truncated));
            }));
        }
        else
        {
            app.Run(ctx => cache.HandleAsync(ctx, forwarder.ForwardAsync));
        }
        await app.StartAsync();
        return new CacheFront(app, cache, origin, forwarder, clock);
    }

    public string Url(string path) => Client.BaseAddress + path.TrimStart('/');

    public async Task<(HttpResponseMessage Response, string Body)> GetAsync(string path, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        foreach (var (name, value) in headers) request.Headers.TryAddWithoutValidation(name, value);
        var response = await Client.SendAsync(request);
        return (response, await response.Content.ReadAsStringAsync());
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.DisposeAsync();
        await Origin.DisposeAsync();
        Forwarder.Dispose();
        Cache.Dispose();
    }
}
