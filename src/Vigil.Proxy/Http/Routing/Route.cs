using Microsoft.AspNetCore.Http;

namespace Vigil.Proxy.Http.Routing;

/// <summary>
/// A route compiled for matching: its conditions are flattened into arrays once, so matching a
/// request reads the request's raw strings and allocates nothing.
/// </summary>
public sealed class Route
{
    private readonly string[] _exactHosts;
    private readonly string[] _hostSuffixes; // ".example.com" for "*.example.com"
    private readonly string? _pathPrefix;
    private readonly (string Name, string? Value)[] _headers;
    private readonly string[] _methods;

    internal Route(RouteOptions options, int index)
    {
        Options = options;
        Index = index;
        var match = options.Match;
        _exactHosts = match.Hosts.Where(h => !h.StartsWith("*.", StringComparison.Ordinal)).Select(NormalizeHost).ToArray();
        _hostSuffixes = match.Hosts.Where(h => h.StartsWith("*.", StringComparison.Ordinal)).Select(h => NormalizeHost(h[1..])).ToArray();
        _pathPrefix = string.IsNullOrEmpty(match.PathPrefix) || match.PathPrefix == "/" ? null : match.PathPrefix;
        _headers = match.Headers.Select(kv => (kv.Key, kv.Value)).ToArray();
        // RFC 9110 §9.1: methods are case-sensitive and the standard ones upper-case; Kestrel hands
        // out interned upper-case strings for them, so an ordinal compare is exact and cheap.
        _methods = match.Methods.Select(m => m.ToUpperInvariant()).ToArray();
    }

    public RouteOptions Options { get; }
    public string Name => Options.Name;
    /// <summary>Position in its <see cref="RouteTable"/>; lets the proxy keep per-route state in an array.</summary>
    public int Index { get; }

    /// <summary>
    /// The cache step in front of the pool, or null to forward directly. The host sets it from
    /// <see cref="RouteOptions.Cache"/> before the table serves traffic; the step calls the
    /// <see cref="RequestDelegate"/> it is given to reach the pool (on a miss or revalidation).
    /// </summary>
    public Func<HttpContext, RequestDelegate, Task>? CacheStep { get; set; }

    /// <summary>True when every condition of the route holds for the request.</summary>
    public bool Matches(HttpRequest request)
    {
        if (_methods.Length != 0 && !MatchesMethod(request.Method)) return false;
        if (_pathPrefix is not null && !(request.Path.Value ?? "").StartsWith(_pathPrefix, StringComparison.Ordinal)) return false;
        if (_exactHosts.Length + _hostSuffixes.Length != 0 && !MatchesHost(HostName(request.Host.Value))) return false;
        if (_headers.Length != 0 && !MatchesHeaders(request.Headers)) return false;
        return true;
    }

    private bool MatchesMethod(string method)
    {
        foreach (var m in _methods)
            if (string.Equals(m, method, StringComparison.Ordinal)) return true;
        return false;
    }

    private bool MatchesHost(ReadOnlySpan<char> host)
    {
        if (host.IsEmpty) return false;
        // RFC 9110 §4.2.3: host names compare case-insensitively.
        foreach (var h in _exactHosts)
            if (host.Equals(h, StringComparison.OrdinalIgnoreCase)) return true;
        foreach (var suffix in _hostSuffixes)
            if (host.Length > suffix.Length && host.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    private bool MatchesHeaders(IHeaderDictionary headers)
    {
        foreach (var (name, value) in _headers)
        {
            var values = headers[name];
            if (values.Count == 0) return false;
            if (value is null) continue;
            var found = false;
            foreach (var v in values)
                if (string.Equals(v, value, StringComparison.Ordinal)) { found = true; break; }
            if (!found) return false;
        }
        return true;
    }

    /// <summary>The host of a Host header value without its port and trailing dot, as a slice (no allocation).</summary>
    internal static ReadOnlySpan<char> HostName(string? hostHeader)
    {
        ReadOnlySpan<char> host = hostHeader;
        if (host.IsEmpty) return host;
        if (host[0] == '[')
        {
            // RFC 3986 §3.2.2: an IPv6 literal is bracketed; the port follows the bracket.
            var close = host.IndexOf(']');
            return close < 0 ? host : host[..(close + 1)];
        }
        var colon = host.LastIndexOf(':');
        if (colon >= 0) host = host[..colon];
        if (host.EndsWith('.')) host = host[..^1];
        return host;
    }

    private static string NormalizeHost(string host) => host.TrimEnd('.').ToLowerInvariant();
}
