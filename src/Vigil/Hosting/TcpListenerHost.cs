using Microsoft.Extensions.Logging;
using Vigil.Balancing;
using Vigil.Config;
using Vigil.Proxy.Tcp;

namespace Vigil.Hosting;

/// <summary>
/// One <c>protocol: tcp</c> listener. Each new connection asks for the current generation's pool,
/// so a reload that changes the pool or its backends applies without touching open connections.
/// </summary>
public sealed class TcpListenerHost : IListenerHost
{
    private readonly TcpProxyListener _listener;
    private volatile string _poolName;

    public TcpListenerHost(ListenerConfig config, Func<Generation> current, TimeProvider time, ILoggerFactory loggerFactory)
    {
        Config = config;
        _poolName = TcpOptions(config).Pool;
        _listener = new TcpProxyListener(TcpOptions(config),
            () => current().Pools.TryGetValue(_poolName, out var pool) ? pool : null,
            time, loggerFactory.CreateLogger("Vigil.Proxy.Tcp"));
    }

    public ListenerConfig Config { get; private set; }

    /// <summary>The options the running listener was built from: the config's own record, not a copy.</summary>
    internal TcpListenerOptions Options => _listener.Options;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _listener.Start();
        return Task.CompletedTask;
    }

    public void Update(ListenerConfig config, Generation generation)
    {
        Config = config;
        _poolName = TcpOptions(config).Pool;
    }

    /// <summary>True when a reload can keep this listener (only the pool changed).</summary>
    public static bool CanUpdateInPlace(ListenerConfig running, ListenerConfig wanted) =>
        TcpOptions(running) with { Pool = "" } == TcpOptions(wanted) with { Pool = "" };

    public void StopAccepting() => _listener.StopAccepting();

    /// <summary>Stops accepting and lets open connections finish, up to the listener's drain timeout.</summary>
    public async ValueTask DisposeAsync() => await _listener.DrainAsync();

    private static TcpListenerOptions TcpOptions(ListenerConfig config) =>
        config.Tcp ?? throw new ArgumentException($"listener {config.Name} is not a tcp listener", nameof(config));
}
