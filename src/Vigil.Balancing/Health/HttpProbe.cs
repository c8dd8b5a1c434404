using System.Net;
using System.Net.Http;
using System.Text;

namespace Vigil.Balancing.Health;

/// <summary>
/// HTTP health check: GET the configured path (with an optional Host), expect a status in range
/// and, optionally, a substring in the body. One handler per pool's prober, shared by its backends.
/// </summary>
public sealed class HttpProbe : IHealthProbe, IDisposable
{
    // Health pages are small; reading more would let a misbehaving backend make probes expensive.
    private const int MaxBodyBytes = 64 * 1024;

    private readonly HealthCheckOptions _options;
    private readonly HttpMessageInvoker _client;
    private readonly string _path;

    public HttpProbe(HealthCheckOptions options)
    {
        _options = options;
        _path = options.Path.StartsWith('/') ? options.Path : "/" + options.Path;
        _client = new HttpMessageInvoker(new SocketsHttpHandler
        {
            // Probes go straight to the backend: never through an environment proxy, never follow
            // a redirect (a 302 is the answer under test), no cookies, no tracing headers.
            UseProxy = false,
            AllowAutoRedirect = false,
            UseCookies = false,
            ActivityHeadersPropagator = null,
            ConnectTimeout = options.Timeout,
            // Keep-alive between probes saves a handshake per probe; a connection idle for two
            // intervals is dropped so a restarted backend is reached on a fresh one.
            PooledConnectionIdleTimeout = options.Interval * 2,
        }, disposeHandler: true);
    }

    public async ValueTask<ProbeResult> ProbeAsync(IPEndPoint endpoint, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{endpoint}{_path}");
        if (_options.Host is { } host) request.Headers.Host = host;
        request.Headers.TryAddWithoutValidation("User-Agent", "vigil-health-check");
        try
        {
            using var response = await _client.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (status < _options.ExpectStatusMin || status > _options.ExpectStatusMax)
                return new ProbeResult(false, $"status {status}");
            if (_options.ExpectBody is { } expected)
            {
                var body = await ReadBodyAsync(response.Content, cancellationToken).ConfigureAwait(false);
                if (!body.Contains(expected, StringComparison.Ordinal))
                    return new ProbeResult(false, $"status {status}, body lacks \"{expected}\"");
            }
            return new ProbeResult(true, $"status {status}");
        }
        catch (HttpRequestException e)
        {
            return new ProbeResult(false, ProbeFailure.Describe(e));
        }
    }

    private static async Task<string> ReadBodyAsync(HttpContent content, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxBodyBytes];
        await using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false)) > 0)
            length += read;
        return Encoding.UTF8.GetString(buffer, 0, length);
    }

    public void Dispose() => _client.Dispose();
}
