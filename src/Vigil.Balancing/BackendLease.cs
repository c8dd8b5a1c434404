namespace Vigil.Balancing;

/// <summary>
/// One request or connection in flight on a backend. Counts towards least-connections and drain;
/// dispose it exactly once when the exchange ends. A struct so the data path allocates nothing.
/// </summary>
public readonly struct BackendLease : IDisposable
{
    internal BackendLease(Backend backend) => Backend = backend;

    public Backend Backend { get; }

    public void Dispose() => Backend?.EndRequest();
}
