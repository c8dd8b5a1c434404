using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace Vigil.Caching;

/// <summary>
/// A copy of a client's GET as a standalone <see cref="DefaultHttpContext"/>, for background refreshes
/// (stale-while-revalidate) that outlive the client's request. Its response body goes nowhere; the fetch
/// captures it for the store.
/// </summary>
internal static class DetachedRequest
{
    public static DefaultHttpContext Create(HttpContext source)
    {
        var from = source.Request;
        var copy = new DefaultHttpContext();
        var to = copy.Request;
        to.Method = HttpMethods.Get;
        to.Scheme = from.Scheme;
        to.Host = from.Host;
        to.PathBase = from.PathBase;
        to.Path = from.Path;
        to.QueryString = from.QueryString;
        to.Protocol = from.Protocol;
        // A refresh is a bodiless GET; forwarders (YARP) consult this feature to decide whether to send a body.
        copy.Features.Set<IHttpRequestBodyDetectionFeature>(NoBody.Instance);
        var raw = source.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (raw is not null) copy.Features.Get<IHttpRequestFeature>()!.RawTarget = raw;
        foreach (var field in from.Headers)
        {
            if (Copied(field.Key)) to.Headers[field.Key] = field.Value;
        }
        // The proxy may keep its route/pool choice in Items; a shallow copy lets the origin delegate find it.
        foreach (var item in source.Items) copy.Items[item.Key] = item.Value;
        copy.Connection.RemoteIpAddress = source.Connection.RemoteIpAddress;
        copy.Connection.RemotePort = source.Connection.RemotePort;
        copy.Connection.LocalIpAddress = source.Connection.LocalIpAddress;
        copy.Connection.LocalPort = source.Connection.LocalPort;
        return copy;
    }

    // The client's own conditions and ranges are not part of a refresh; neither are body framing fields.
    private static bool Copied(string name) =>
        !name.StartsWith("If-", StringComparison.OrdinalIgnoreCase)
        && !name.Equals(HeaderNames.Range, StringComparison.OrdinalIgnoreCase)
        && !name.Equals(HeaderNames.ContentLength, StringComparison.OrdinalIgnoreCase)
        && !name.Equals(HeaderNames.TransferEncoding, StringComparison.OrdinalIgnoreCase)
        && !name.Equals(HeaderNames.Expect, StringComparison.OrdinalIgnoreCase);

    private sealed class NoBody : IHttpRequestBodyDetectionFeature
    {
        public static readonly NoBody Instance = new();
        public bool CanHaveBody => false;
    }
}
