using System.Net;

namespace Vigil.Vrrp.Transport;

/// <summary>
/// Carries VRRP messages between routers: raw IP protocol 112 on a real network, or UDP on loopback
/// for unprivileged use. The same VRRP bytes travel either way.
/// </summary>
public interface IVrrpTransport : IDisposable
{
    /// <summary>This router's primary address: the IP source of its adverts (and the pseudo-header's).</summary>
    IPAddress LocalAddress { get; }

    /// <summary>Where adverts go: the multicast group, or the unicast peers.</summary>
    IReadOnlyList<IPAddress> Destinations { get; }

    /// <summary>
    /// Sends one VRRP message to <see cref="Destinations"/>[<paramref name="destination"/>]. Synchronous and
    /// non-blocking: it runs on the timer thread, which must not wait on the thread pool.
    /// </summary>
    void Send(ReadOnlySpan<byte> message, int destination);

    /// <summary>
    /// Waits up to <paramref name="timeout"/> for one packet and receives it into <paramref name="buffer"/>.
    /// Blocking: each instance receives on its own thread, so a starved thread pool cannot delay adverts
    /// into a false Master_Down_Timer expiry.
    /// </summary>
    bool TryReceive(Span<byte> buffer, TimeSpan timeout, out ReceivedPacket packet);
}
