using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Net.Http.Headers;
using Vigil.Caching.Capture;
using Vigil.Caching.Rules;
using Vigil.Caching.Stores;

namespace Vigil.Caching;

/// <summary>
/// An RFC 9111 shared cache as one step of the L7 path. The proxy calls <see cref="HandleAsync"/> with a
/// delegate that forwards the request to the pool and writes the origin's response into the context; the
/// cache answers from its store, revalidates, serves stale where allowed, or calls the origin and stores
/// the answer while it streams to the client. Concurrent misses for one key share one origin fetch.
/// </summary>
public sealed class HttpCache : IDisposable, IAsyncDisposable
{
    /// <summary>Name of the meter publishing every cache's metrics (tag <c>cache</c>).</summary>
    public const string MeterName = CacheMetrics.MeterName;

    /// <summary>Upper bound for a background (stale-while-revalidate) refresh, which has no client to cancel it.</summary>
    public static readonly TimeSpan BackgroundFetchTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Memory for a disk-only cache's hit-for-pass marks (each charged its key: thousands of marks).</summary>
    public const long DiskOnlyMarkBytes = CacheOptions.MiB;

    private readonly bool _memoryTier;
    private readonly ConcurrentDictionary<string, InFlight> _inFlight = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CacheMetrics _metrics;

    public HttpCache(CacheOptions options, TimeProvider? timeProvider = null, ILogger<HttpCache>? logger = null)
    {
        var errors = options.Validate();
        if (errors.Count > 0) throw new ArgumentException(string.Join("; ", errors), nameof(options));
        Options = options;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _memoryTier = !options.IsDiskOnly;
        // A disk-only cache keeps its hit-for-pass marks in a small memory area of its own.
        Store = new MemoryStore(_memoryTier ? options.MemoryBytes : DiskOnlyMarkBytes);
        // Bodies being captured are held in memory whatever the tiers: a quarter of memory, and for a disk-only
        // cache room for four of its largest objects at once.
        CaptureBudget = new CaptureBudget(_memoryTier
            ? Math.Max(options.MemoryBytes / 4, options.EffectiveMaxObjectBytes)
            : 4 * options.EffectiveMaxObjectBytes);
        if (options.DiskPath is not null) Disk = new DiskStore(options.DiskPath, options.DiskBytes, _logger);
        _metrics = new CacheMetrics(this);
    }

    public CacheOptions Options { get; }
    public MemoryStore Store { get; }
    /// <summary>The optional disk tier under <see cref="Store"/>.</summary>
    public DiskStore? Disk { get; }
    public CacheCounters Counters { get; } = new();

    internal DateTimeOffset Now => _time.GetUtcNow();

    internal ILogger Logger => _logger;

    /// <summary>Bytes all bodies being captured at once may hold: a quarter of the memory budget (four objects' worth when disk only).</summary>
    internal CaptureBudget CaptureBudget { get; }

    /// <summary>Origin fetches in flight that others can join (leaders and background refreshes).</summary>
    public int InFlightCount => _inFlight.Count;

    /// <summary>Answers <paramref name="context"/> from the cache or through <paramref name="origin"/>.</summary>
    public Task HandleAsync(HttpContext context, RequestDelegate origin)
    {
        var method = context.Request.Method;
        return HttpMethods.IsGet(method) || HttpMethods.IsHead(method)
            ? HandleReadAsync(context, origin)
            : HandleOtherMethodAsync(context, origin);
    }

    /// <summary>Removes the responses stored for one absolute URL (all its Vary variants).</summary>
    public bool Purge(string url)
    {
        var key = CacheKey.FromUrl(url);
        return key is not null && Remove(key);
    }

    /// <summary>Removes the responses of every URL starting with <paramref name="urlPrefix"/> (absolute).</summary>
    public int PurgePrefix(string urlPrefix)
    {
        var key = CacheKey.FromUrl(urlPrefix);
        if (key is null) return 0;
        var removed = Store.RemovePrefix(key);
        return Disk is null ? removed : Math.Max(removed, Disk.RemovePrefix(key));
    }

    public CacheSnapshot Snapshot() => new(
        Options.Name, Counters.Hits, Counters.Misses, Counters.StaleServed, Counters.Revalidations, Counters.Collapsed,
        Counters.HitForPass, Counters.Stored, Store.Entries, Store.Bytes, Options.MemoryBytes, Store.Evictions,
        Disk?.Entries ?? 0, Disk?.Bytes ?? 0);

    public void Dispose()
    {
        _metrics.Dispose();
        _ = Disk?.DisposeAsync().AsTask();
    }

    /// <summary>Also waits for queued disk writes to finish.</summary>
    public async ValueTask DisposeAsync()
    {
        _metrics.Dispose();
        if (Disk is not null) await Disk.DisposeAsync();
    }

    /// <summary>Stores a response in memory and queues it for the disk tier.</summary>
    internal void Save(CacheEntry entry)
    {
        // Disk only: a storable answer clears the key's hit-for-pass mark, as With(entry) does in memory.
        if (_memoryTier) Store.Put(entry);
        else Store.Remove(entry.Key);
        Disk?.Enqueue(entry);
    }

    /// <summary>Replaces a stored response with its 304-freshened copy in both tiers.</summary>
    internal void SaveFreshened(CacheEntry old, CacheEntry fresh)
    {
        Store.Replace(old, fresh);
        Disk?.Enqueue(fresh);
    }

    /// <summary>Drops every stored response for a key, in both tiers.</summary>
    internal bool Invalidate(string key) => Remove(key);

    private bool Remove(string key)
    {
        var removed = Store.Remove(key);
        return (Disk?.Remove(key) ?? false) || removed;
    }

    /// <summary>The memory tier's variants for the key, first filled from disk when only the disk has them.</summary>
    private async ValueTask<CacheVariants> LookupAsync(string key, CancellationToken ct)
    {
        Store.TryGet(key, out var variants);
        if (variants.Entries.Length > 0 || Disk is null || !Disk.Contains(key)) return variants;
        var loaded = await Disk.LoadAsync(key, ct);
        // Disk only: served from what was read, kept nowhere in memory.
        if (!_memoryTier) return loaded.Length == 0 ? variants : new CacheVariants(key, loaded, variants.PassUntil);
        foreach (var entry in loaded) Store.Put(entry);
        Store.TryGet(key, out variants);
        return variants;
    }

    private async Task HandleOtherMethodAsync(HttpContext context, RequestDelegate origin)
    {
        Interlocked.Increment(ref Counters.BypassCount);
        context.Response.OnStarting(static state =>
        {
            ((HttpResponse)state).Headers.Append(CacheStatusValue.HeaderName, CacheStatusValue.Method);
            return Task.CompletedTask;
        }, context.Response);
        await origin(context);
        // RFC 9111 §4.4: a non-error answer to an unsafe method invalidates the target and same-origin locations.
        var request = context.Request;
        if (!Invalidation.Applies(request.Method, context.Response.StatusCode)) return;
        var keys = Invalidation.Keys(request.Scheme, request.Host.Value ?? "", CacheKey.Target(context), context.Response.Headers);
        foreach (var key in keys)
        {
            if (Remove(key)) Interlocked.Increment(ref Counters.InvalidationCount);
        }
    }

    private async Task HandleReadAsync(HttpContext context, RequestDelegate origin)
    {
        var request = context.Request;
        var headers = request.Headers;
        var key = CacheKey.For(context);
        if (key.Length > CacheKey.MaxLength)
        {
            // Never stored, marked or collapsed on: a hostile key leaves nothing behind in the cache.
            Interlocked.Increment(ref Counters.BypassCount);
            context.Response.Headers.Append(CacheStatusValue.HeaderName, CacheStatusValue.KeyTooLong);
            await origin(context);
            return;
        }
        var requestControl = CacheControl.Parse(headers.CacheControl);
        var pragmaNoCache = PragmaNoCache(headers);
        var hasAuthorization = headers.ContainsKey(HeaderNames.Authorization);
        var now = Now;

        var variants = await LookupAsync(key, context.RequestAborted);
        var entry = variants.Select(headers);
        // A request with Authorization reuses only responses marked shareable: RFC 9111 §3.5 asks this of
        // responses obtained with Authorization; applying it to every stored response is deliberately stricter,
        // so a page stored for anonymous users is never handed to an authenticated one.
        if (entry is not null && hasAuthorization && !Storability.AllowsAuthorized(entry.Control)) entry = null;

        string fwd;
        if (entry is not null)
        {
            var verdict = Reuse.Decide(requestControl, pragmaNoCache, entry.Control, entry.Age(now), entry.Lifetime);
            switch (verdict)
            {
                case ReuseVerdict.Fresh:
                    Interlocked.Increment(ref Counters.HitCount);
                    await CachedResponse.WriteAsync(context, entry, now, CacheStatusValue.Hit, validated: false);
                    return;
                case ReuseVerdict.StaleAccepted:
                    Interlocked.Increment(ref Counters.StaleServedCount);
                    await CachedResponse.WriteAsync(context, entry, now, CacheStatusValue.MaxStale, validated: false);
                    return;
                case ReuseVerdict.Stale when StaleUse.WhileRevalidate(entry.Control, entry.Staleness(now), Options.StaleWhileRevalidate):
                    Interlocked.Increment(ref Counters.StaleServedCount);
                    FetchInBackground(context, key, entry, hasAuthorization, origin, "stale");
                    await CachedResponse.WriteAsync(context, entry, now, CacheStatusValue.StaleWhileRevalidate, validated: false);
                    return;
            }
            fwd = verdict == ReuseVerdict.RequestValidation ? "request" : "stale";
        }
        else
        {
            fwd = variants.Entries.Length > 0 ? "vary-miss" : "miss";
        }

        // only-if-cached: nothing usable without contacting the origin, so 504 (RFC 9111 §5.2.1.7).
        if (requestControl.Has(CacheDirectives.OnlyIfCached))
        {
            context.Response.StatusCode = StatusCodes.Status504GatewayTimeout;
            context.Response.Headers.Append(CacheStatusValue.HeaderName, CacheStatusValue.OnlyIfCached);
            return;
        }

        // A range on a miss goes through untouched: the origin answers it and a 206 is not stored (RFC 9111 §3.3
        // would allow storing partial content; we keep only complete responses). Meanwhile the whole response is
        // fetched in the background for the requests after it (Varnish fetches the whole object too, but makes
        // this client wait for it: a video player's first seek would), unless the key just proved uncacheable or
        // the client forbids storing. A hit serves ranges itself from the stored response (CachedResponse, RFC 9110
        // §14); a stale entry is revalidated with the Range forwarded.
        if (entry is null && headers.ContainsKey(HeaderNames.Range))
        {
            Interlocked.Increment(ref Counters.BypassCount);
            if (HttpMethods.IsGet(request.Method) && !requestControl.Has(CacheDirectives.NoStore)
                && !(variants.PassUntil is { } until && until > now))
            {
                FetchInBackground(context, key, null, hasAuthorization, origin, "miss");
            }
            context.Response.Headers.Append(CacheStatusValue.HeaderName, CacheStatusValue.Range);
            await origin(context);
            return;
        }

        if (entry is null) Interlocked.Increment(ref Counters.MissCount);

        // Hit-for-pass: the key recently proved uncacheable, so no queueing behind a leader.
        if (variants.PassUntil is { } passUntil && passUntil > now && entry is null)
        {
            Interlocked.Increment(ref Counters.PassCount);
            await FetchAndAnswerAsync(context, origin, key, null, requestControl, hasAuthorization, fwd, "hit-for-pass");
            return;
        }

        // A HEAD's answer has no body to store, so it must not lead GETs that would wait on it.
        if (HttpMethods.IsHead(request.Method))
        {
            await FetchAndAnswerAsync(context, origin, key, entry, requestControl, hasAuthorization, fwd, null);
            return;
        }

        await CollapsedFetchAsync(context, origin, key, entry, requestControl, hasAuthorization, fwd);
    }

    private async Task CollapsedFetchAsync(HttpContext context, RequestDelegate origin, string key, CacheEntry? stale,
        CacheControl requestControl, bool hasAuthorization, string fwd)
    {
        var mine = new InFlight();
        if (_inFlight.TryAdd(key, mine))
        {
            var result = new FetchResult(FetchKind.Failed, null, 0);
            try
            {
                // A fetch may have stored the answer between our lookup and becoming leader: look again.
                if (stale is null && await TryAnswerFreshAsync(context, key, requestControl, hasAuthorization)) return;
                result = await FetchAndAnswerAsync(context, origin, key, stale, requestControl, hasAuthorization, fwd, null);
            }
            finally
            {
                _inFlight.TryRemove(new KeyValuePair<string, InFlight>(key, mine));
                mine.Complete(result);
            }
            return;
        }

        if (_inFlight.TryGetValue(key, out var leader))
        {
            FetchResult shared;
            try
            {
                shared = await leader.Result.WaitAsync(Options.CollapseTimeout, _time, context.RequestAborted);
            }
            catch (TimeoutException)
            {
                shared = new FetchResult(FetchKind.Failed, null, 0);
            }
            if (await TryAnswerFromSharedAsync(context, shared, requestControl, hasAuthorization, fwd)) return;
        }
        // The leader's answer does not fit this request (or took too long): fetch alone, without queueing again.
        await FetchAndAnswerAsync(context, origin, key, stale, requestControl, hasAuthorization, fwd, null);
    }

    private static bool PragmaNoCache(IHeaderDictionary headers)
    {
        var pragma = headers.Pragma;
        return pragma.Count > 0 && StoredHeaders.ListContains(pragma.ToString(), "no-cache");
    }

    private async Task<bool> TryAnswerFreshAsync(HttpContext context, string key, CacheControl requestControl, bool hasAuthorization)
    {
        var variants = await LookupAsync(key, context.RequestAborted);
        var entry = variants.Select(context.Request.Headers);
        if (entry is null || (hasAuthorization && !Storability.AllowsAuthorized(entry.Control))) return false;
        var now = Now;
        var pragmaNoCache = PragmaNoCache(context.Request.Headers);
        if (Reuse.Decide(requestControl, pragmaNoCache, entry.Control, entry.Age(now), entry.Lifetime) != ReuseVerdict.Fresh) return false;
        Interlocked.Increment(ref Counters.HitCount);
        Interlocked.Decrement(ref Counters.MissCount);
        await CachedResponse.WriteAsync(context, entry, now, CacheStatusValue.Hit, validated: false);
        return true;
    }

    private async Task<bool> TryAnswerFromSharedAsync(HttpContext context, FetchResult shared, CacheControl requestControl,
        bool hasAuthorization, string fwd)
    {
        var entry = shared.Entry;
        if (entry is null || !entry.MatchesVary(context.Request.Headers)) return false;
        if (hasAuthorization && !Storability.AllowsAuthorized(entry.Control)) return false;
        var now = Now;
        switch (shared.Kind)
        {
            case FetchKind.Stored:
            case FetchKind.Validated:
                // Just obtained from the origin on this request's behalf: as fresh as a forward of its own.
                Interlocked.Increment(ref Counters.CollapsedCount);
                await CachedResponse.WriteAsync(context, entry, now, CacheStatusValue.Collapsed(fwd), validated: true);
                return true;
            case FetchKind.StaleOnError when StaleUse.OnError(requestControl, entry.Control, entry.Staleness(now), Options.Grace):
                Interlocked.Increment(ref Counters.CollapsedCount);
                Interlocked.Increment(ref Counters.StaleServedCount);
                await CachedResponse.WriteAsync(context, entry, now, CacheStatusValue.StaleOnError(shared.OriginStatus), validated: false);
                return true;
            default:
                return false;
        }
    }

    /// <summary>Forwards once (twice if a 304 does not match) and answers the client when the origin's answer was withheld.</summary>
    private async Task<FetchResult> FetchAndAnswerAsync(HttpContext context, RequestDelegate origin, string key, CacheEntry? stale,
        CacheControl requestControl, bool hasAuthorization, string fwd, string? detail)
    {
        var result = await new OriginFetch(this, context, key, stale, requestControl, hasAuthorization, fwd, detail, detached: false).RunAsync(origin);
        if (result.Kind == FetchKind.UnusableNotModified)
        {
            // RFC 9111 §4.3.4: a 304 that selects no stored response must not update one; ask again unconditionally.
            context.Response.Clear();
            result = await new OriginFetch(this, context, key, null, requestControl, hasAuthorization, fwd, detail, detached: false).RunAsync(origin);
        }

        switch (result.Kind)
        {
            case FetchKind.Validated:
                context.Response.Clear();
                await CachedResponse.WriteAsync(context, result.ForClient ?? result.Entry!, Now, CacheStatusValue.Revalidated(fwd), validated: true);
                break;
            case FetchKind.StaleOnError:
                Interlocked.Increment(ref Counters.StaleServedCount);
                context.Response.Clear();
                await CachedResponse.WriteAsync(context, result.Entry!, Now, CacheStatusValue.StaleOnError(result.OriginStatus), validated: false);
                break;
        }
        return result;
    }

    /// <summary>stale-while-revalidate: one background refresh per key at a time (RFC 5861 §3).</summary>
    /// <summary>
    /// Fetches the response for <paramref name="key"/> apart from the client's request, for the clients after it:
    /// a stale-while-revalidate refresh, or the whole response behind a range miss. Joins nothing and is joined
    /// by later requests as any leader is; a fetch whose answer will not be stored stops at its headers.
    /// </summary>
    private void FetchInBackground(HttpContext context, string key, CacheEntry? stale, bool hasAuthorization, RequestDelegate origin, string fwd)
    {
        var mine = new InFlight();
        if (!_inFlight.TryAdd(key, mine)) return;
        var detached = DetachedRequest.Create(context);
        _ = Task.Run(async () =>
        {
            var result = new FetchResult(FetchKind.Failed, null, 0);
            using var abort = new CancellationTokenSource(BackgroundFetchTimeout, _time);
            detached.RequestAborted = abort.Token;
            try
            {
                // The fetch is for every later client, not for the one whose request triggered it: its
                // request directives (max-age=0...) do not apply.
                result = await new OriginFetch(this, detached, key, stale, CacheControl.Empty, hasAuthorization, fwd, null, detached: true,
                    abandon: abort.Cancel).RunAsync(origin);
            }
            catch (Exception ex)
            {
                // Abandoned on purpose, or the origin broke: one line, no stack trace.
                CacheLog.BackgroundFailed(_logger, Options.Name, key, $"{ex.GetType().Name}: {ex.Message}");
            }
            finally
            {
                _inFlight.TryRemove(new KeyValuePair<string, InFlight>(key, mine));
                mine.Complete(result);
            }
        });
    }
}
