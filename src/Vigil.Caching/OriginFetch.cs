using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using Vigil.Caching.Capture;
using Vigil.Caching.Rules;
using Vigil.Caching.Stores;

namespace Vigil.Caching;

/// <summary>
/// One trip to the origin for a GET/HEAD: sends our validators when revalidating (RFC 9111 §4.3.1), lets the
/// origin write into a <see cref="ResponseCapture"/>, and once status and headers are known decides whether the
/// client sees the origin's answer (stored if storable) or the cache answers instead (304, stale-if-error).
/// </summary>
internal sealed class OriginFetch
{
    private readonly HttpCache _cache;
    private readonly HttpContext _context;
    private readonly string _key;
    private readonly CacheEntry? _stale;
    private readonly CacheControl _requestControl;
    private readonly bool _hasAuthorization;
    private readonly string _fwd;
    private readonly string? _detail;
    private readonly bool _detached;
    private readonly Action? _abandon;
    private ResponseCapture? _capture;
    private FetchKind _outcome = FetchKind.Failed;
    private StoreVerdict _verdict;
    private CacheControl _responseControl;
    private DateTimeOffset _requestTime;

    public OriginFetch(HttpCache cache, HttpContext context, string key, CacheEntry? stale, in CacheControl requestControl,
        bool hasAuthorization, string fwd, string? detail, bool detached, Action? abandon = null)
    {
        _cache = cache;
        _context = context;
        _key = key;
        _stale = stale;
        _requestControl = requestControl;
        _hasAuthorization = hasAuthorization;
        _fwd = fwd;
        _detail = detail;
        _detached = detached;
        _abandon = abandon;
    }

    public async Task<FetchResult> RunAsync(RequestDelegate origin)
    {
        var headers = _context.Request.Headers;
        // The client's own conditions are answered by the cache from the full response (RFC 9111 §4.3.2);
        // forwarding them would fetch a 304 we could not store.
        var clientIfNoneMatch = headers[HeaderNames.IfNoneMatch];
        var clientIfModifiedSince = headers[HeaderNames.IfModifiedSince];
        headers.Remove(HeaderNames.IfNoneMatch);
        headers.Remove(HeaderNames.IfModifiedSince);
        if (_stale is not null && _stale.HasValidator)
        {
            // Validate with what we have: entity-tag first, Last-Modified as well (RFC 9111 §4.3.1).
            if (_stale.ETag is not null) headers.IfNoneMatch = _stale.ETag;
            if (_stale.LastModified is { } lm) headers.IfModifiedSince = HttpDates.Format(lm);
            Interlocked.Increment(ref _cache.Counters.RevalidationCount);
        }

        // Cleared first: a refetch on the same context must not read the previous attempt's outcome.
        _context.Features.Set<IOriginOutcomeFeature>(null);
        var bodyFeature = _context.Features.Get<IHttpResponseBodyFeature>()!;
        var capture = _capture = new ResponseCapture(bodyFeature, Decide);
        _context.Features.Set<IHttpResponseBodyFeature>(capture);
        _requestTime = _cache.Now;
        try
        {
            try
            {
                await origin(_context);
                await capture.FinishAsync();
            }
            catch (Exception) when (capture.Mode != CaptureMode.Pass && CanServeStaleOnError())
            {
                // The origin failed before anything reached the client: answer from the stale response.
                return new FetchResult(FetchKind.StaleOnError, _stale, 0);
            }
            return Complete(capture);
        }
        finally
        {
            capture.Buffer?.Dispose();
            _context.Features.Set(bodyFeature);
            headers.Remove(HeaderNames.IfNoneMatch);
            headers.Remove(HeaderNames.IfModifiedSince);
            if (clientIfNoneMatch.Count > 0) headers.IfNoneMatch = clientIfNoneMatch;
            if (clientIfModifiedSince.Count > 0) headers.IfModifiedSince = clientIfModifiedSince;
        }
    }

    private bool CanServeStaleOnError() =>
        _stale is not null && StaleUse.OnError(_requestControl, _stale.Control, _stale.Staleness(_cache.Now), _cache.Options.Grace,
            _cache.Options.StaleIfError);

    /// <summary>
    /// Called once, when the origin's status and headers are final. Whatever the origin sent, it never throws
    /// into the forwarder: a response the rules cannot evaluate is passed on unstored, with one log line.
    /// </summary>
    private CaptureMode Decide()
    {
        try
        {
            return DecideCore();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Reject(ex);
            _outcome = FetchKind.Passed;
            _verdict = StoreVerdict.Malformed;
            _capture!.Buffer?.Dispose();
            _capture.Buffer = null;
            return CaptureMode.Pass;
        }
    }

    private void Reject(Exception ex)
    {
        Interlocked.Increment(ref _cache.Counters.RejectedCount);
        CacheLog.Rejected(_cache.Logger, _cache.Options.Name, _key, $"{ex.GetType().Name}: {ex.Message}");
    }

    private CaptureMode DecideCore()
    {
        var response = _context.Response;
        var status = response.StatusCode;
        if (_stale is not null)
        {
            if (status == StatusCodes.Status304NotModified)
            {
                _outcome = Freshening.Selects(_stale.ETag, _stale.LastModified, response.Headers)
                    ? FetchKind.Validated
                    : FetchKind.UnusableNotModified;
                return CaptureMode.Suppress;
            }
            if (StaleUse.IsOriginError(status) && CanServeStaleOnError())
            {
                _outcome = FetchKind.StaleOnError;
                return CaptureMode.Suppress;
            }
        }

        _outcome = FetchKind.Passed;
        _verdict = Evaluate(response, status);
        var stored = _verdict == StoreVerdict.Storable;
        if (stored) _capture!.Buffer = new BodyBuffer(_cache.Options.EffectiveMaxObjectBytes, response.ContentLength, _cache.CaptureBudget);
        else if (_detached)
        {
            // Nobody reads a background fetch but the store: one that will not be stored (too large, private...)
            // stops here instead of downloading a body for nothing (a range miss on a video, say), and marks the
            // key hit-for-pass first, as Complete would have, so the next range miss does not try again.
            if (ProvesUncacheable(_verdict) && _cache.Options.HitForPassTtl > TimeSpan.Zero)
                _cache.Store.MarkPass(_key, _cache.Now + _cache.Options.HitForPassTtl);
            _abandon?.Invoke();
        }
        if (!_detached)
        {
            var detail = stored ? _detail : _detail ?? DetailOf(_verdict);
            response.Headers.Append(CacheStatusValue.HeaderName, CacheStatusValue.Forwarded(_fwd, status, stored, detail));
        }
        return CaptureMode.Pass;
    }

    private StoreVerdict Evaluate(HttpResponse response, int status)
    {
        var headers = response.Headers;
        _responseControl = CacheControl.Parse(headers.CacheControl);
        var verdict = Storability.Evaluate(_context.Request.Method, status, _requestControl, _responseControl,
            _hasAuthorization, headers.ContainsKey(HeaderNames.Expires), headers.Vary);
        if (verdict != StoreVerdict.Storable) return verdict;
        // Set-Cookie is per user; storing it would hand one user's cookie to the next (unless configured).
        if (!_cache.Options.StoreSetCookie && headers.ContainsKey(HeaderNames.SetCookie)) return StoreVerdict.SetCookie;
        if (response.ContentLength > _cache.Options.EffectiveMaxObjectBytes) return StoreVerdict.TooLarge;
        // A response that is stale at once and cannot be validated would never be reused.
        var lifetime = Freshness.Lifetime(status, _responseControl, headers, _cache.Now);
        if (lifetime <= TimeSpan.Zero && !headers.ContainsKey(HeaderNames.ETag) && !headers.ContainsKey(HeaderNames.LastModified)
            && _responseControl.StaleIfError < 0 && _responseControl.StaleWhileRevalidate < 0)
            return StoreVerdict.NoFreshness;
        return verdict;
    }

    /// <summary>Stores or freshens what the origin answered; never throws for what the origin sent.</summary>
    private FetchResult Complete(ResponseCapture capture)
    {
        try
        {
            return CompleteCore(capture);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Reject(ex);
            return _outcome is FetchKind.StaleOnError or FetchKind.UnusableNotModified
                ? new FetchResult(_outcome, _stale, _context.Response.StatusCode)
                : new FetchResult(FetchKind.Passed, null, _context.Response.StatusCode);
        }
    }

    private FetchResult CompleteCore(ResponseCapture capture)
    {
        var now = _cache.Now;
        var response = _context.Response;
        switch (_outcome)
        {
            case FetchKind.Validated:
                return Freshen(response.Headers, now);
            case FetchKind.StaleOnError:
            case FetchKind.UnusableNotModified:
                return new FetchResult(_outcome, _stale, response.StatusCode);
        }

        // Only the forwarder knows whether the body arrived whole: a chunked body cut before its last chunk, or a
        // stall past the response timeout, looks like a short body here (RFC 9112 §8: an incomplete message).
        var origin = _context.Features.Get<IOriginOutcomeFeature>()?.Outcome ?? OriginOutcome.Unreported;
        if (origin != OriginOutcome.Complete)
        {
            if (_verdict == StoreVerdict.Storable)
            {
                Interlocked.Increment(ref _cache.Counters.IncompleteCount);
                CacheLog.Incomplete(_cache.Logger, _cache.Options.Name, _key, origin);
            }
            // Transient: no hit-for-pass mark, and a HEAD that broke off updates nothing.
            return new FetchResult(FetchKind.Passed, null, response.StatusCode);
        }

        if (_stale is not null && HttpMethods.IsHead(_context.Request.Method) && response.StatusCode == StatusCodes.Status200OK)
        {
            // RFC 9111 §4.3.5: a HEAD's 200 updates the stored GET it describes, or makes it stale (dropped here).
            // A private or no-store HEAD answer is this client's alone: it updates nothing shared (§5.2.2.5, §5.2.2.7).
            if (!Freshening.HeadMatches(_stale.ETag, _stale.LastModified, _stale.Body.Length, response.Headers))
                _cache.Invalidate(_stale.Key);
            else if (Freshening.MayUpdateShared(CacheControl.Parse(response.Headers.CacheControl)))
                _cache.SaveFreshened(_stale, _stale.Freshen(response.Headers, _requestTime, now, shared: true, _cache.Options.StoreSetCookie));
        }

        if (_verdict == StoreVerdict.Storable)
        {
            var buffer = capture.Buffer!;
            // Store only a complete body: not aborted, within budget, and as long as announced.
            var complete = !_context.RequestAborted.IsCancellationRequested
                && !buffer.Overflowed
                && (response.ContentLength is null || response.ContentLength == buffer.Length);
            if (complete)
            {
                var varyNames = VarySpec.Names(response.Headers.Vary);
                var entry = new CacheEntry(
                    _key,
                    response.StatusCode,
                    StoredHeaders.Snapshot(response.Headers, _responseControl.PrivateFields),
                    buffer.ToArray(),
                    _requestTime,
                    now,
                    varyNames,
                    varyNames is null ? null : VarySpec.Capture(varyNames, _context.Request.Headers));
                _cache.Save(entry);
                Interlocked.Increment(ref _cache.Counters.StoredCount);
                return new FetchResult(FetchKind.Stored, entry, response.StatusCode);
            }
            if (buffer.Overflowed) _verdict = StoreVerdict.TooLarge;
        }

        if (ProvesUncacheable(_verdict) && _cache.Options.HitForPassTtl > TimeSpan.Zero)
            _cache.Store.MarkPass(_key, now + _cache.Options.HitForPassTtl);
        return new FetchResult(FetchKind.Passed, null, response.StatusCode);
    }

    /// <summary>
    /// A 304 that selects the stored response (RFC 9111 §4.3.4). This client is answered from the stored response
    /// updated with everything the 304 says, Set-Cookie included: it was meant for this client. The shared entry
    /// takes the update without Set-Cookie (unless store_set_cookie) and without privately named fields; a 304
    /// that is itself private or no-store leaves the shared entry as it was (still stale: the next client
    /// revalidates for itself) and gives collapsed waiters nothing to share.
    /// </summary>
    private FetchResult Freshen(IHeaderDictionary update, DateTimeOffset now)
    {
        var forClient = _stale!.Freshen(update, _requestTime, now, shared: false);
        if (!Freshening.MayUpdateShared(CacheControl.Parse(update.CacheControl)))
            return new FetchResult(FetchKind.Validated, null, 304, forClient);
        var shared = _stale.Freshen(update, _requestTime, now, shared: true, _cache.Options.StoreSetCookie);
        _cache.SaveFreshened(_stale, shared);
        Interlocked.Increment(ref _cache.Counters.NotModifiedCount);
        return new FetchResult(FetchKind.Validated, shared, 304, forClient);
    }

    /// <summary>
    /// Reasons in the response itself, which later requests for the key will meet again. A 5xx is transient
    /// and must not stop collapsing while the origin recovers; 206 and 304 answer this request's own headers.
    /// </summary>
    private bool ProvesUncacheable(StoreVerdict verdict) =>
        (verdict == StoreVerdict.Status && _context.Response.StatusCode is >= 200 and < 500 and not 206 and not 304)
        || verdict is StoreVerdict.NoStore or StoreVerdict.Private or StoreVerdict.NoFreshness
        or StoreVerdict.VaryStar or StoreVerdict.SetCookie or StoreVerdict.TooLarge;

    private static string? DetailOf(StoreVerdict verdict) => verdict switch
    {
        StoreVerdict.Storable => null,
        StoreVerdict.Method => "method",
        StoreVerdict.Status => "status",
        StoreVerdict.RequestNoStore => "request-no-store",
        StoreVerdict.NoStore => "no-store",
        StoreVerdict.Private => "private",
        StoreVerdict.Authorization => "authorization",
        StoreVerdict.NoFreshness => "no-freshness",
        StoreVerdict.VaryStar => "vary-star",
        StoreVerdict.SetCookie => "set-cookie",
        StoreVerdict.TooLarge => "too-large",
        StoreVerdict.Malformed => "malformed",
        _ => null,
    };
}
