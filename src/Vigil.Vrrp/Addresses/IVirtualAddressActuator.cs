namespace Vigil.Vrrp.Addresses;

/// <summary>
/// Takes and releases an instance's virtual addresses when the election says so: on an interface
/// (<see cref="InterfaceAddressActuator"/>, <see cref="VmacAddressActuator"/>) or, for the loopback demo, by telling
/// listeners to bind (<see cref="BindAddressActuator"/>).
/// </summary>
/// <remarks>
/// Calls are synchronous and come in order on the instance's own actuator thread, never the thread pool: a release
/// that waits for a pool thread lasts as long as the pool is starved, and two routers then hold the addresses for
/// that long (measured: 1 s in a loaded test run, 19 s with the pool starved on purpose). Implementations may block
/// (a netlink round trip, a process at startup); announcement repeats wait on the cancellation token.
/// </remarks>
public interface IVirtualAddressActuator
{
    /// <summary>Becoming master: add the addresses; <see cref="Announce"/> follows (RFC 9568 §6.4.1 (3)).</summary>
    void Take();

    /// <summary>Becoming backup or stopping; also at startup, to clear addresses a crash left behind.</summary>
    void Release();

    /// <summary>Announce the addresses: after a take, and again when a rival master was seen.</summary>
    /// <param name="announcing">Cancelled when we step down: the announcement repeats stop at once.</param>
    void Announce(CancellationToken announcing);
}
