using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Vigil.Caching.Rules;

/// <summary>Whether a shared cache may store a response (RFC 9111 §3, §3.5).</summary>
public static class Storability
{
    /// <summary>Status codes cacheable by default, i.e. heuristically (RFC 9110 §15.1).</summary>
    public static bool IsHeuristicallyCacheable(int status) => status is
        200 or 203 or 204 or 206 or 300 or 301 or 308 or 404 or 405 or 410 or 414 or 501;

    /// <summary>
    /// Status codes whose caching semantics this cache implements, for must-understand (RFC 9111 §5.2.2.3).
    /// 206 is excluded: this cache does not combine partial content.
    /// </summary>
    public static bool IsUnderstood(int status) => status is
        200 or 203 or 204 or 300 or 301 or 302 or 303 or 307 or 308 or 404 or 405 or 410 or 414 or 501;

    /// <summary>A shared cache may reuse a response for a request with Authorization only with one of these (RFC 9111 §3.5).</summary>
    public static bool AllowsAuthorized(in CacheControl response) =>
        response.Has(CacheDirectives.Public) || response.Has(CacheDirectives.MustRevalidate) || response.SMaxAge >= 0;

    public static StoreVerdict Evaluate(
        string method,
        int status,
        in CacheControl request,
        in CacheControl response,
        bool requestHasAuthorization,
        bool hasExpires,
        StringValues vary)
    {
        // Only GET responses are stored; a HEAD is answered from a stored GET (RFC 9110 §9.3.2).
        if (!HttpMethods.IsGet(method)) return StoreVerdict.Method;
        // Final and understood status codes only; 206 and 304 are never stored as such (RFC 9111 §3, §3.3).
        if (status < 200 || status == 206 || status == 304) return StoreVerdict.Status;
        if (request.Has(CacheDirectives.NoStore)) return StoreVerdict.RequestNoStore;

        // must-understand: store only status codes we understand, and then no-store is overridden (RFC 9111 §5.2.2.3).
        if (response.Has(CacheDirectives.MustUnderstand))
        {
            if (!IsUnderstood(status)) return StoreVerdict.Status;
        }
        else if (response.Has(CacheDirectives.NoStore))
        {
            return StoreVerdict.NoStore;
        }

        if (response.Has(CacheDirectives.Private)) return StoreVerdict.Private;
        if (requestHasAuthorization && !AllowsAuthorized(response)) return StoreVerdict.Authorization;
        if (VarySpec.IsStar(vary)) return StoreVerdict.VaryStar;

        var explicitFreshness = response.Has(CacheDirectives.Public) || hasExpires || response.MaxAge >= 0 || response.SMaxAge >= 0;
        if (!explicitFreshness && !IsHeuristicallyCacheable(status)) return StoreVerdict.NoFreshness;
        return StoreVerdict.Storable;
    }
}
