using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Vigil.Caching.Tests.Integration;

/// <summary>
/// A test-only origin delegate: forwards the request with HttpClient and writes the answer into the context,
/// 502 when the origin cannot be reached, and reports the outcome to the cache, as the proxy's forwarder does.
/// </summary>
internal sealed class TestForwarder : IDisposable
{
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Transfer-Encoding", "TE", "Trailer", "Upgrade", "Proxy-Connection", "Host",
    };

    private readonly HttpClient _client = new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        AutomaticDecompression = System.Net.DecompressionMethods.None,
        ConnectTimeout = TimeSpan.FromSeconds(5),
    });

    public TestForwarder(string originBaseUrl) => OriginBaseUrl = originBaseUrl.TrimEnd('/');

    public string OriginBaseUrl { get; set; }

    public async Task ForwardAsync(HttpContext context)
    {
        var request = context.Request;
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? (request.Path + request.QueryString);
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), OriginBaseUrl + target);
        if (request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0)
            message.Content = new StreamContent(request.Body);
        foreach (var field in request.Headers)
        {
            if (HopByHop.Contains(field.Key)) continue;
            if (!message.Headers.TryAddWithoutValidation(field.Key, (IEnumerable<string?>)field.Value))
                message.Content?.Headers.TryAddWithoutValidation(field.Key, (IEnumerable<string?>)field.Value);
        }

        HttpResponseMessage response;
        try
        {
            response = await _client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        }
        catch (HttpRequestException)
        {
            context.Response.StatusCode = StatusCodes.Status502BadGateway;
            context.Features.Set<IOriginOutcomeFeature>(OriginOutcomeFeature.Of(OriginOutcome.Failed));
            return;
        }
        using (response)
        {
            context.Response.StatusCode = (int)response.StatusCode;
            foreach (var h in response.Headers.Concat(response.Content.Headers))
            {
                if (!HopByHop.Contains(h.Key)) context.Response.Headers[h.Key] = h.Value.ToArray();
            }
            await using var body = await response.Content.ReadAsStreamAsync(context.RequestAborted);
            try
            {
                await body.CopyToAsync(context.Response.Body, context.RequestAborted);
            }
            catch (Exception e) when (e is HttpRequestException or IOException)
            {
                // The origin broke off inside the body: like the proxy, cut the client off and say so.
                context.Features.Set<IOriginOutcomeFeature>(OriginOutcomeFeature.Of(OriginOutcome.Truncated));
                context.Abort();
                return;
            }
            context.Features.Set<IOriginOutcomeFeature>(OriginOutcomeFeature.Of(OriginOutcome.Complete));
        }
    }

    public void Dispose() => _client.Dispose();
}
