using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Vigil.Proxy.Http;

/// <summary>
/// Sets X-Forwarded-For, -Proto and -Host on the request before it is forwarded, and strips the other
/// forwarding fields an untrusted client could use to lie about itself (Forwarded, X-Real-IP,
/// X-Forwarded-Port, X-Forwarded-Prefix), as YARP's default forwarded transforms do. They are set on
/// the incoming request's headers so any upstream implementation copies them as they are.
/// </summary>
internal sealed class ForwardedHeaders
{
    internal const string ForwardedFor = "X-Forwarded-For";
    internal const string ForwardedProto = "X-Forwarded-Proto";
    internal const string ForwardedHost = "X-Forwarded-Host";
    internal const string ForwardedPort = "X-Forwarded-Port";
    internal const string ForwardedPrefix = "X-Forwarded-Prefix";
    /// <summary>RFC 7239.</summary>
    internal const string Forwarded = "Forwarded";
    internal const string RealIp = "X-Real-IP";

    private readonly IPNetwork[] _trusted;

    public ForwardedHeaders(IReadOnlyList<IPNetwork> trustedProxies) => _trusted = trustedProxies.ToArray();

    public void Apply(HttpContext context)
    {
        var request = context.Request;
        var headers = request.Headers;
        var peer = context.Connection.RemoteIpAddress;
        if (peer is { IsIPv4MappedToIPv6: true }) peer = peer.MapToIPv4();
        var client = peer?.ToString() ?? "unknown";
        if (IsTrusted(peer))
        {
            // A proxy we trust already said who its client was: keep its chain and add the hop we saw.
            var chain = headers[ForwardedFor];
            headers[ForwardedFor] = chain.Count == 0 ? client : string.Concat(JoinValues(chain), ", ", client);
            if (StringValues.IsNullOrEmpty(headers[ForwardedProto])) headers[ForwardedProto] = request.Scheme;
            if (StringValues.IsNullOrEmpty(headers[ForwardedHost])) SetHost(headers, request);
            return;
        }
        // Anything else a client sends in these headers is a claim we cannot check: replace it, and
        // drop the forwarding fields Vigil does not set, which backends (and their frameworks' forwarded
        // middleware) would otherwise believe: a client address, scheme, port or path prefix.
        headers[ForwardedFor] = client;
        headers[ForwardedProto] = request.Scheme;
        SetHost(headers, request);
        headers.Remove(Forwarded);
        headers.Remove(RealIp);
        headers.Remove(ForwardedPort);
        headers.Remove(ForwardedPrefix);
    }

    private static void SetHost(IHeaderDictionary headers, HttpRequest request)
    {
        var host = request.Host.Value;
        if (string.IsNullOrEmpty(host)) headers.Remove(ForwardedHost);
        else headers[ForwardedHost] = host;
    }

    private bool IsTrusted(IPAddress? peer)
    {
        if (peer is null) return false;
        foreach (var network in _trusted)
            if (network.Contains(peer)) return true;
        return false;
    }

    private static string JoinValues(StringValues values) => values.Count == 1 ? values[0]! : string.Join(", ", values.ToArray());
}
