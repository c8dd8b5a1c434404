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
        _poolName = config.Pool!;
        _listener = new TcpProxyListener(ToOptions(config),
            () => current().Pools.TryGetValue(_poolName, out var pool) ? pool : null,
            time, loggerFactory.CreateLogger("Vigil.Proxy.Tcp"));
    }

    public ListenerConfig Config { get; private set; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _listener.Start();
        return Task.CompletedTask;
    }

    public void Update(ListenerConfig config, Generation generation)
    {
        Config = config;
        _poolName = config.Pool!;
    }

    /// <summary>True when a reload can keep this listener (only the pool changed).</summary>
    public static bool CanUpdateInPlace(ListenerConfig running, ListenerConfig wanted) =>
        ToOptions(running) with { Pool = "" } == ToOptions(wanted) with { Pool = "" };

    public void StopAccepting() => _listener.StopAccepting();

    /// <summary>Stops accepting and lets open connections finish, up to the listener's drain timeout.</summary>
    public async ValueTask DisposeAsync() => await _listener.DrainAsync();

    internal static TcpListenerOptions ToOptions(ListenerConfig config) => new()
    {
        Name = config.Name,
        EndPoint = config.ListenEndPoint,
        Pool = config.Pool!,
        AcceptProxy = config.AcceptProxy,
        TrustedProxies = config.TrustedProxies,
        MaxConnections = config.MaxConnections ?? 0,
        OnLimit = config.OnLimit == ConnectionLimitAction.Refuse ? ConnectionLimitMode.Refuse : ConnectionLimitMode.Queue,
        IdleTimeout = config.IdleTimeout,
        DrainTimeout = config.DrainTimeout,
    };
}
