using System.Net;

namespace Vigil.Balancing.Health;

/// <summary>
/// One active health probe of one backend (TCP connect, HTTP request, MySQL role check).
/// An interface because there are several probe kinds and tests substitute none: each is exercised
/// against a real server.
/// </summary>
public interface IHealthProbe
{
    /// <summary>Probes the backend once; the caller enforces the timeout through <paramref name="cancellationToken"/>.</summary>
    ValueTask<ProbeResult> ProbeAsync(IPEndPoint endpoint, CancellationToken cancellationToken);
}

/// <summary>The outcome of one probe: healthy or not, and a short reason an operator can read (`connection refused`, `status 503`, `lag 12s &gt; 5s`).</summary>
public readonly record struct ProbeResult(bool Healthy, string Detail);
