namespace Vigil.Vrrp.Addresses;

/// <summary>How a new master announces its addresses (like keepalived's garp_master_repeat / garp_interval).</summary>
public sealed record AnnounceOptions
{
    /// <summary>Gratuitous ARPs / unsolicited NAs sent per address per announcement (keepalived's garp_master_repeat, 5).</summary>
    public int Repeat { get; init; } = 5;

    /// <summary>Pause between repeats: a switch or client that missed the first still learns quickly.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Send gratuitous ARP as replies rather than requests (the vmac default; see <see cref="Packets.GratuitousArpFrame"/>).</summary>
    public bool ArpReply { get; init; }
}
