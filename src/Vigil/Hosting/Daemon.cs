using System.Net;
using Microsoft.Extensions.Logging;
using Vigil.Admin;
using Vigil.Balancing;
using Vigil.Config;

namespace Vigil.Hosting;

/// <summary>
/// The running Vigil node: the current <see cref="Generation"/>, the listeners that outlive reloads,
/// and the admin API. A reload with a bad config keeps the running generation and reports why.
/// </summary>
public sealed partial class Daemon : IAsyncDisposable
{
    private readonly Func<ConfigLoadResult> _load;
    private readonly RuntimeServices _services;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _reloadGate = new(1, 1);
    private readonly Dictionary<string, IListenerHost> _listeners = new(StringComparer.Ordinal);
    private readonly List<Task> _draining = [];
    private readonly SemaphoreSlim _listenerGate = new(1, 1);
    // address_mode: bind — listeners on these virtual addresses run only while this node is master.
    private HashSet<IPAddress> _bindVips = [];
    private readonly HashSet<IPAddress> _heldVips = [];
    private Redundancy? _redundancy;
    private Generation? _current;
    private AdminServer? _admin;
    private ReloadReport _lastReload;

    /// <param name="load">Reads and validates the config; called at start and on every reload.</param>
    public Daemon(Func<ConfigLoadResult> load, RuntimeServices services)
    {
        _load = load;
        _services = services;
        _logger = services.LoggerFactory.CreateLogger("Vigil");
        _lastReload = new ReloadReport(true, services.Time.GetUtcNow(), []);
    }

    /// <summary>The generation serving now.</summary>
    public Generation Current => Volatile.Read(ref _current) ?? throw new InvalidOperationException("not started");

    /// <summary>The running listeners by name (for tests and status).</summary>
    public IReadOnlyDictionary<string, IListenerHost> Listeners => _listeners;

    /// <summary>Loads the config and starts everything; throws <see cref="ConfigException"/> on a bad config.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var loaded = _load();
        if (!loaded.IsValid) throw new ConfigException(loaded.Errors);
        var generation = Generation.Build(1, loaded.Config!, null, _services);
        generation.Start(_services);
        Volatile.Write(ref _current, generation);
        _bindVips = BindVips(generation.Config);
        await ApplyListenersAsync(generation, cancellationToken);
        var admin = generation.Config.Admin;
        _admin = new AdminServer(this, admin, _services.LoggerFactory);
        try
        {
            await _admin.StartAsync(cancellationToken);
        }
        catch (IOException ex)
        {
            throw new StartException("admin", $"cannot listen on {admin.Listen}: {StartException.Reason(ex)}", ex);
        }
        _redundancy = new Redundancy(_services.Time, _services.LoggerFactory);
        await _redundancy.ApplyAsync(generation.Config.Vrrp, () => Current, BindAsync, cancellationToken);
        LogStarted(_logger, generation.Config.Node.Name, generation.Config.Listeners.Count, generation.Pools.Count, admin.Listen);
    }

    /// <summary>
    /// Re-reads the config; when valid, builds the next generation beside the running one, swaps it
    /// in and retires the old one. When not, keeps serving and returns the errors.
    /// </summary>
    public async Task<ReloadReport> ReloadAsync(CancellationToken cancellationToken = default)
    {
        await _reloadGate.WaitAsync(cancellationToken);
        try
        {
            var loaded = _load();
            var now = _services.Time.GetUtcNow();
            if (!loaded.IsValid)
            {
                var errors = loaded.Errors.Select(e => e.ToString()).ToArray();
                foreach (var e in errors) LogReloadError(_logger, e);
                LogReloadRefused(_logger, errors.Length);
                return _lastReload = new ReloadReport(false, now, errors);
            }
            var old = Current;
            Generation next;
            try
            {
                next = Generation.Build(old.Number + 1, loaded.Config!, old, _services);
            }
            catch (StartException ex)
            {
                LogReloadError(_logger, ex.Message);
                return _lastReload = new ReloadReport(false, now, [ex.Message]);
            }
            next.Start(_services);
            var previousBindVips = _bindVips;
            try
            {
                _bindVips = BindVips(next.Config);
                await ApplyListenersAsync(next, cancellationToken);
            }
            catch (StartException ex)
            {
                // A listener could not bind: keep the old generation whole rather than half of each.
                _bindVips = previousBindVips;
                await next.RetireAsync(old);
                LogReloadError(_logger, ex.Message);
                return _lastReload = new ReloadReport(false, now, [ex.Message]);
            }
            Volatile.Write(ref _current, next);
            _admin?.Apply(next.Config.Admin);
            if (next.Config.Admin.ListenEndPoint != old.Config.Admin.ListenEndPoint)
                LogAdminListenKept(_logger, old.Config.Admin.Listen, next.Config.Admin.Listen);
            await old.RetireAsync(next);
            await _redundancy!.ApplyAsync(next.Config.Vrrp, () => Current, BindAsync, cancellationToken);
            LogReloaded(_logger, next.Number);
            return _lastReload = new ReloadReport(true, now, []);
        }
        finally
        {
            _reloadGate.Release();
        }
    }

    /// <summary>Starts new listeners, updates kept ones to <paramref name="next"/>, and drains removed ones.</summary>
    private async Task ApplyListenersAsync(Generation next, CancellationToken cancellationToken)
    {
        await _listenerGate.WaitAsync(cancellationToken);
        try
        {
            await ApplyListenersLockedAsync(next, cancellationToken);
        }
        finally
        {
            _listenerGate.Release();
        }
    }

    private async Task ApplyListenersLockedAsync(Generation next, CancellationToken cancellationToken)
    {
        var wanted = next.Config.Listeners
            .Where(l => !_bindVips.Contains(l.ListenEndPoint.Address) || _heldVips.Contains(l.ListenEndPoint.Address))
            .ToDictionary(ListenerKey);
        var retired = new List<IListenerHost>();
        foreach (var (key, host) in _listeners.ToArray())
        {
            if (wanted.TryGetValue(key, out var config) &&
                (host is not TcpListenerHost || TcpListenerHost.CanUpdateInPlace(host.Config, config)))
            {
                host.Update(config, next);
                continue;
            }
            _listeners.Remove(key);
            retired.Add(host);
        }
        // Retired listeners close their sockets now, so a replacement can bind the same address, and
        // drain in the background: a reload never waits for old connections to end.
        foreach (var host in retired)
        {
            host.StopAccepting();
            _draining.Add(host.DisposeAsync().AsTask());
        }
        foreach (var (key, config) in wanted)
        {
            if (_listeners.ContainsKey(key)) continue;
            IListenerHost host = config.Protocol == ListenerProtocol.Http
                ? new HttpListenerHost(config, next.HttpProxies[config.Name], _services.LoggerFactory)
                : new TcpListenerHost(config, () => Current, _services.Time, _services.LoggerFactory);
            try
            {
                await host.StartAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException)
            {
                await host.DisposeAsync();
                throw new StartException($"listener {config.Name}", $"cannot listen on {config.Listen}: {StartException.Reason(ex)}", ex);
            }
            catch
            {
                await host.DisposeAsync();
                throw;
            }
            _listeners[key] = host;
        }
    }

    /// <summary>The bind-mode actuator: master binds the listeners on its virtual addresses, backup closes them.</summary>
    private async Task BindAsync(IReadOnlyList<IPAddress> vips, bool take, CancellationToken cancellationToken)
    {
        await _listenerGate.WaitAsync(cancellationToken);
        try
        {
            foreach (var vip in vips)
                if (take) _heldVips.Add(vip); else _heldVips.Remove(vip);
            // On one host the old master may still have the address bound for a moment (it releases when
            // it hears our first advert): retry the bind for up to two seconds.
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await ApplyListenersLockedAsync(Current, cancellationToken);
                    return;
                }
                catch (StartException ex) when (ex.IsBind && take && attempt < 40)
                {
                    await Task.Delay(50, cancellationToken);
                }
            }
        }
        finally
        {
            _listenerGate.Release();
        }
    }

    private static HashSet<IPAddress> BindVips(VigilConfig config) => config.Vrrp
        .Where(v => v.AddressMode == VrrpAddressMode.Bind)
        .SelectMany(v => v.VirtualAddresses.Select(a => a.Address))
        .ToHashSet();

    private static string ListenerKey(ListenerConfig l) => $"{l.Protocol}/{l.ListenEndPoint}";

    public StatusReport BuildStatus()
    {
        var generation = Current;
        var now = _services.Time.GetUtcNow();
        return new StatusReport(
            generation.Config.Node.Name,
            generation.Number,
            generation.LoadedAt,
            _lastReload,
            _listeners.Values.Select(h => new ListenerStatus(h.Config.Name, h.Config.Protocol.ToString().ToLowerInvariant(), h.Config.Listen)).ToArray(),
            generation.Pools.Values.Select(p => PoolStatus.From(p, now)).ToArray(),
            _redundancy?.Status() ?? [],
            generation.Caches.Values.Select(c => c.Snapshot()).ToArray());
    }

    public BackendStateResult SetBackendState(string pool, string address, AdminState state)
    {
        if (!Current.Pools.TryGetValue(pool, out var p)) return BackendStateResult.NoPool;
        if (!p.SetAdminState(address, state)) return BackendStateResult.NoBackend;
        LogAdminState(_logger, address, pool, state.ToString().ToLowerInvariant());
        return BackendStateResult.Done;
    }

    /// <summary>Purges an exact URL or every URL under a prefix from every cache; returns the entries removed.</summary>
    public int PurgeCache(string? url, string? prefix)
    {
        var purged = 0;
        foreach (var cache in Current.Caches.Values)
            purged += string.IsNullOrEmpty(url) ? cache.PurgePrefix(prefix!) : cache.Purge(url) ? 1 : 0;
        return purged;
    }

    public async ValueTask DisposeAsync()
    {
        // VRRP first: a master resigns (priority 0) so the backup takes over while we drain.
        if (_redundancy is not null) await _redundancy.DisposeAsync();
        if (_admin is not null) await _admin.DisposeAsync();
        await Task.WhenAll(_listeners.Values.Select(h => h.DisposeAsync().AsTask()).Concat(_draining));
        _listeners.Clear();
        if (_current is not null) await _current.RetireAsync(null);
    }


    [LoggerMessage(LogLevel.Warning, "admin API stays on {Listen}: moving it to {Wanted} needs a restart")]
    private static partial void LogAdminListenKept(ILogger logger, string listen, string wanted);

    [LoggerMessage(LogLevel.Information, "vigil {Node} started: {Listeners} listeners, {Pools} pools, admin on {Admin}")]
    private static partial void LogStarted(ILogger logger, string node, int listeners, int pools, string admin);

    [LoggerMessage(LogLevel.Information, "config reloaded: generation {Generation}")]
    private static partial void LogReloaded(ILogger logger, long generation);

    [LoggerMessage(LogLevel.Error, "reload refused: {Error}")]
    private static partial void LogReloadError(ILogger logger, string error);

    [LoggerMessage(LogLevel.Warning, "reload refused with {Count} errors; the running config stays")]
    private static partial void LogReloadRefused(ILogger logger, int count);

    [LoggerMessage(LogLevel.Information, "backend {Address} in pool {Pool} set {State} by the admin API")]
    private static partial void LogAdminState(ILogger logger, string address, string pool, string state);
}

/// <summary>A config that failed validation; carries every error.</summary>
public sealed class ConfigException(IReadOnlyList<ConfigError> errors)
    : Exception(string.Join(Environment.NewLine, errors.Select(e => e.ToString())))
{
    public IReadOnlyList<ConfigError> Errors { get; } = errors;
}
