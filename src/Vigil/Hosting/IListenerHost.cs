using Vigil.Config;

namespace Vigil.Hosting;

/// <summary>A running listener the daemon keeps across reloads: http (Kestrel) or tcp (L4 proxy).</summary>
public interface IListenerHost : IAsyncDisposable
{
    ListenerConfig Config { get; }
    Task StartAsync(CancellationToken cancellationToken);
    /// <summary>Applies a reloaded listener config whose address and protocol are unchanged.</summary>
    void Update(ListenerConfig config, Generation generation);
    /// <summary>Closes the listening socket at once so a replacement can bind the address; in-flight work goes on until disposed.</summary>
    void StopAccepting();
}
