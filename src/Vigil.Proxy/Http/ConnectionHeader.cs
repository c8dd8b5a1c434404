using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Vigil.Proxy.Http;

/// <summary>
/// The connection options of a request's Connection header (RFC 9110 §7.6.1), read without
/// allocating: which fields the client nominates as hop-by-hop, and whether it nominates one that
/// Connection may never remove.
/// </summary>
/// <remarks>
/// Honouring a nomination blindly is a smuggling primitive: <c>Connection: content-length</c> made
/// the body of one request a second request on the backend connection, <c>Connection: host</c>
/// fetched one host's page under another's name, <c>Connection: x-forwarded-for</c> hid the client's
/// address. RFC 9110 §7.6.1 forbids a sender to nominate a field meant for every recipient; Vigil
/// refuses such a request with 400 (see HttpProxy) and, whatever the caller did, never removes one.
/// </remarks>
internal static class ConnectionHeader
{
    /// <summary>
    /// Fields Connection may never remove: the framing (Vigil writes its own, RFC 9112 §6), Host
    /// (routing and cache keys use it), and the forwarding fields Vigil sets or strips itself.
    /// </summary>
    internal static readonly string[] Protected =
    [
        HeaderNames.ContentLength, HeaderNames.TransferEncoding, HeaderNames.Host,
        ForwardedHeaders.ForwardedFor, ForwardedHeaders.ForwardedProto, ForwardedHeaders.ForwardedHost,
        ForwardedHeaders.ForwardedPort, ForwardedHeaders.ForwardedPrefix, ForwardedHeaders.Forwarded, ForwardedHeaders.RealIp,
    ];

    /// <summary>Whether the header names anything besides close and keep-alive (rare: the per-field check is skipped otherwise).</summary>
    public static bool NominatesFields(StringValues connection)
    {
        foreach (var value in connection)
        {
            if (value is null) continue;
            var span = value.AsSpan();
            foreach (var range in span.Split(','))
            {
                var token = span[range].Trim(" \t");
                if (!token.IsEmpty && !token.Equals("close", StringComparison.OrdinalIgnoreCase)
                    && !token.Equals("keep-alive", StringComparison.OrdinalIgnoreCase))
                    return true;
            }
        }
        return false;
    }

    /// <summary>Whether <paramref name="name"/> is one of the options.</summary>
    public static bool Nominates(StringValues connection, string name)
    {
        foreach (var value in connection)
        {
            if (value is null) continue;
            var span = value.AsSpan();
            foreach (var range in span.Split(','))
                if (span[range].Trim(" \t").Equals(name, StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }

    /// <summary>The first nominated field Connection may not remove (its canonical name), or null.</summary>
    public static string? FirstProtected(StringValues connection)
    {
        if (connection.Count == 0) return null;
        foreach (var value in connection)
        {
            if (value is null) continue;
            var span = value.AsSpan();
            foreach (var range in span.Split(','))
            {
                var token = span[range].Trim(" \t");
                if (ProtectedName(token) is { } name) return name;
            }
        }
        return null;
    }

    /// <summary>Whether Connection may never remove <paramref name="name"/>.</summary>
    public static bool IsProtected(ReadOnlySpan<char> name) => ProtectedName(name) is not null;

    private static string? ProtectedName(ReadOnlySpan<char> name)
    {
        foreach (var candidate in Protected)
            if (name.Equals(candidate, StringComparison.OrdinalIgnoreCase)) return candidate;
        return null;
    }
}
