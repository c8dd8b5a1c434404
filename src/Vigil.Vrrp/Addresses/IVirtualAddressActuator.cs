namespace Vigil.Vrrp.Addresses;

/// <summary>
/// Takes and releases an instance's virtual addresses when the election says so: on an interface
/// (<see cref="InterfaceAddressActuator"/>) or, for the loopback demo, by telling listeners to bind
/// (<see cref="BindAddressActuator"/>). Calls are serialised per instance, off the timer thread.
/// </summary>
public interface IVirtualAddressActuator
{
    /// <summary>Becoming master: add the addresses and announce them (RFC 9568 §6.4.1 (3)).</summary>
    Task TakeAsync(CancellationToken cancellationToken);

    /// <summary>Becoming backup or stopping; also at startup, to clear addresses a crash left behind.</summary>
    Task ReleaseAsync(CancellationToken cancellationToken);

    /// <summary>Announce again without changing anything (a rival master was seen).</summary>
    Task AnnounceAsync(CancellationToken cancellationToken);
}
