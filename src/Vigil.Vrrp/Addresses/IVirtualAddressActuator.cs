namespace Vigil.Vrrp.Addresses;

/// <summary>
/// Takes and releases an instance's virtual addresses when the election says so: on an interface
/// (<see cref="InterfaceAddressActuator"/>, <see cref="VmacAddressActuator"/>) or, for the loopback demo, by telling
/// listeners to bind (<see cref="BindAddressActuator"/>).
/// </summary>
/// <remarks>
/// Calls are synchronous and come in order on the instance's own address thread, never the thread pool: a release
/// that waits for a pool thread lasts as long as the pool is starved, and two routers then hold the addresses for
/// that long (measured: 1 s in a loaded test run, 19 s with the pool starved on purpose). Implementations may block
/// (a netlink round trip, a process at startup). The instance repeats <see cref="Announce"/> itself, cancellably.
/// </remarks>
public interface IVirtualAddressActuator
{
    /// <summary>
    /// Whether <see cref="Take"/> and one <see cref="Announce"/> are now a few system calls that do not wait on
    /// anything but the kernel (netlink, a packet socket): the timer thread then does them itself at a takeover,
    /// right after the advert, as keepalived does, instead of handing them to the address thread.
    /// </summary>
    bool TakesInline { get; }

    /// <summary>How many announcements a takeover sends, and how far apart.</summary>
    AnnounceOptions Announcing { get; }

    /// <summary>Becoming master: add the addresses; announcements follow (RFC 9568 §6.4.1 (3)).</summary>
    void Take();

    /// <summary>Becoming backup or stopping; also at startup, to clear addresses a crash left behind.</summary>
    void Release();

    /// <summary>One announcement: a gratuitous ARP or unsolicited Neighbor Advertisement per address.</summary>
    void Announce();
}
