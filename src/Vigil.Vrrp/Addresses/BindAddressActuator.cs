namespace Vigil.Vrrp.Addresses;

/// <summary>
/// The demo's address mode: nothing is added to an interface (loopback addresses 127.0.0.0/8 all exist
/// already); the master only signals "listeners should bind the virtual address now", the backup "unbind".
/// </summary>
/// <remarks>
/// Binding a listener is the host's asynchronous work (Kestrel), so the actuator thread waits for it here: a bind
/// leans on the thread pool, which this loopback mode accepts; interface addresses do not.
/// </remarks>
public sealed class BindAddressActuator(Func<bool, CancellationToken, Task> bind) : IVirtualAddressActuator
{
    private int _bound = -1;

    /// <summary>Whether the listeners were last told to bind.</summary>
    public bool IsBound => _bound == 1;

    /// <summary>No: binding waits on the host's listeners.</summary>
    public bool TakesInline => false;

    public AnnounceOptions Announcing { get; } = new() { Repeat = 0 };

    public void Take() => Signal(true);

    public void Release() => Signal(false);

    public void Announce()
    {
    }

    private void Signal(bool bound)
    {
        var value = bound ? 1 : 0;
        if (Interlocked.Exchange(ref _bound, value) != value)
        {
            bind(bound, CancellationToken.None).GetAwaiter().GetResult();
        }
    }
}
