using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using Vigil.Config;

namespace Vigil.Admin;

/// <summary>What the admin API answers a request before any endpoint sees it.</summary>
public enum AdminVerdict
{
    Allow,
    /// <summary>401: no token, or the wrong one.</summary>
    Unauthorized,
    /// <summary>403: a browser was turned against the API (foreign Host or Origin).</summary>
    Forbidden,
}

/// <summary>
/// Who may use the admin API, decided per request from the admin section of the running config.
/// </summary>
/// <remarks>
/// Three threats, three rules:
/// <list type="bullet">
/// <item>Anyone who can reach the port: with a token set every path needs it (<c>/metrics</c> may be
/// opened with <c>metrics_public</c>), as a Bearer token or as the password of HTTP Basic so that a
/// browser can open the status page. Compared in constant time over SHA-256 digests, so neither the
/// content nor the length of the token leaks through timing.</item>
/// <item>DNS rebinding: without a token the API listens on loopback only, but a page from
/// <c>evil.example</c> that re-resolves its name to 127.0.0.1 reaches it with <c>Host: evil.example</c>.
/// Without a token, only loopback Host names are served (what Jupyter and the Docker API do).</item>
/// <item>Cross-site requests: a page on another origin may POST to the API (a form needs no CORS), and
/// a browser attaches cached Basic credentials to it. A request whose Origin is not this API's own, or
/// that the browser marks <c>Sec-Fetch-Site: cross-site/same-site</c>, is refused whatever its token.</item>
/// </list>
/// </remarks>
public sealed class AdminAccess
{
    private readonly byte[]? _tokenDigest;
    private readonly bool _metricsPublic;

    public AdminAccess(AdminConfig admin)
    {
        if (admin.Token is { } token) _tokenDigest = SHA256.HashData(Encoding.UTF8.GetBytes(token.Value));
        _metricsPublic = admin.MetricsPublic;
    }

    /// <summary>Whether a token guards the API.</summary>
    public bool RequiresToken => _tokenDigest is not null;

    public AdminVerdict Decide(HttpRequest request)
    {
        var headers = request.Headers;
        if (!IsSameOrigin(headers.Origin, request.Host) || IsCrossSite(headers["Sec-Fetch-Site"])) return AdminVerdict.Forbidden;
        if (_tokenDigest is null) return IsLoopbackHost(request.Host) ? AdminVerdict.Allow : AdminVerdict.Forbidden;
        if (_metricsPublic && request.Path.Equals("/metrics", StringComparison.Ordinal)) return AdminVerdict.Allow;
        return Presented(headers.Authorization) is { } presented && Matches(presented) ? AdminVerdict.Allow : AdminVerdict.Unauthorized;
    }

    /// <summary>The challenge of a 401: Basic first, so a browser asks for the token (as the password).</summary>
    public static readonly string[] Challenges = ["Basic realm=\"vigil admin\", charset=\"UTF-8\"", "Bearer realm=\"vigil admin\""];

    private bool Matches(string presented)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(presented), digest);
        return CryptographicOperations.FixedTimeEquals(digest, _tokenDigest);
    }

    /// <summary>The token of <c>Bearer TOKEN</c>, or the password of <c>Basic base64(user:TOKEN)</c> (RFC 7617; the user is ignored).</summary>
    internal static string? Presented(string? authorization)
    {
        if (string.IsNullOrEmpty(authorization)) return null;
        var space = authorization.IndexOf(' ');
        if (space <= 0) return null;
        var scheme = authorization.AsSpan(0, space);
        var credentials = authorization.AsSpan(space + 1).Trim();
        if (scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase)) return credentials.ToString();
        if (!scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase)) return null;
        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(credentials.ToString()));
            var colon = decoded.IndexOf(':');
            return colon < 0 ? null : decoded[(colon + 1)..];
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>
    /// No Origin (curl, Prometheus, a same-origin GET) is fine; otherwise it must be this API's own
    /// origin (RFC 6454: scheme, host and port). <c>null</c> (sandboxed frames, redirects) is foreign.
    /// </summary>
    internal static bool IsSameOrigin(string? origin, HostString host)
    {
        if (string.IsNullOrEmpty(origin)) return true;
        if (!host.HasValue) return false;
        return origin.Equals("http://" + host.Value, StringComparison.OrdinalIgnoreCase)
            || origin.Equals("https://" + host.Value, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Fetch Metadata (W3C): a browser names the relation of the page that made the request.</summary>
    private static bool IsCrossSite(string? site) =>
        site is not null && (site.Equals("cross-site", StringComparison.OrdinalIgnoreCase) || site.Equals("same-site", StringComparison.OrdinalIgnoreCase));

    /// <summary><c>localhost</c>, 127.0.0.0/8 or ::1, with or without a port; no Host at all (HTTP/1.0 tools) too.</summary>
    internal static bool IsLoopbackHost(HostString host)
    {
        if (!host.HasValue) return true;
        var name = host.Host;
        if (name.Equals("localhost", StringComparison.OrdinalIgnoreCase)) return true;
        if (name.StartsWith('[') && name.EndsWith(']')) name = name[1..^1];
        return IPAddress.TryParse(name, out var address) && IPAddress.IsLoopback(address);
    }
}
