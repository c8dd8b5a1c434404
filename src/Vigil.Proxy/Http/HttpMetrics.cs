using System.Diagnostics.Metrics;

namespace Vigil.Proxy.Http;

/// <summary>The L7 data path's instruments (Meter "Vigil.Proxy"); the host exports them at /metrics.</summary>
internal static class HttpMetrics
{
    public const string MeterName = "Vigil.Proxy";

    public static readonly Meter Meter = new(MeterName);

    /// <summary>Tags: listener, route, pool, status (2xx...5xx).</summary>
    public static readonly Counter<long> Requests = Meter.CreateCounter<long>(
        "vigil_http_requests_total", description: "HTTP requests answered, by listener, route, pool and status class.");

    /// <summary>Tags: listener, route, pool. Seconds from route match to the end of the response.</summary>
    public static readonly Histogram<double> Duration = Meter.CreateHistogram<double>(
        "vigil_http_request_duration_seconds", description: "Time to answer an HTTP request, in seconds.");

    /// <summary>Tags: pool, backend, reason (connect, response, timeout, protocol: the backend broke HTTP/1.1).</summary>
    public static readonly Counter<long> UpstreamFailures = Meter.CreateCounter<long>(
        "vigil_upstream_failures_total", description: "Forwarding attempts that failed, by pool and backend.");

    /// <summary>Tags: listener, pool.</summary>
    public static readonly Counter<long> Retries = Meter.CreateCounter<long>(
        "vigil_http_retries_total", description: "Requests retried on another backend.");

    private static readonly string[] StatusClasses = ["1xx", "1xx", "2xx", "3xx", "4xx", "5xx"];

    /// <summary>"2xx" for 204 and so on, without formatting a string per request.</summary>
    public static string StatusClass(int status) => StatusClasses[Math.Clamp(status / 100, 1, 5)];
}
