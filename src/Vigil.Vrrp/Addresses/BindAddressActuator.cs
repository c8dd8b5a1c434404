namespace Vigil.Vrrp.Addresses;

/// <summary>
/// The demo's address mode: nothing is added to an interface (loopback addresses 127.0.0.0/8 all exist
/// already); the master only signals "listeners should bind the virtual address now", the backup "unbind".
/// </summary>
public sealed class BindAddressActuator(Func<bool, CancellationToken, Task> bind) : IVirtualAddressActuator
{
    private int _bound = -1;

    /// <summary>Whether the listeners were last told to bind.</summary>
    public bool IsBound => _bound == 1;

    public Task TakeAsync(CancellationToken cancellationToken) => Signal(true, cancellationToken);

    public Task ReleaseAsync(CancellationToken cancellationToken) => Signal(false, cancellationToken);

    public Task AnnounceAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private Task Signal(bool bound, CancellationToken cancellationToken)
    {
        var value = bound ? 1 : 0;
        if (Interlocked.Exchange(ref _bound, value) == value)
        {
            return Task.CompletedTask;
        }
        return bind(bound, cancellationToken);
    }
}
