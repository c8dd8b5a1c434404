using Vigil.Vrrp.Addresses;
using Vigil.Vrrp.Packets;

namespace Vigil.Vrrp;

/// <summary>
/// One virtual router's configuration, validated by the host before it gets here (VRID 1–255,
/// priority 1–255, interval bounds, addresses of one family).
/// </summary>
public sealed record VrrpInstanceOptions
{
    /// <summary>The instance name (keepalived's vrrp_instance name), used in logs, metrics and notify.</summary>
    public required string Name { get; init; }

    public required byte Vrid { get; init; }

    /// <summary>1–254, or 255 for the owner of the addresses.</summary>
    public byte Priority { get; init; } = 100;

    /// <summary>v3: centisecond resolution, 10 ms to 40.95 s; v2: whole seconds.</summary>
    public TimeSpan AdvertInterval { get; init; } = TimeSpan.FromSeconds(1);

    public bool Preempt { get; init; } = true;

    public TimeSpan PreemptDelay { get; init; }

    /// <summary>3 (RFC 9568, default) or 2 (RFC 3768, IPv4 only).</summary>
    public byte Version { get; init; } = 3;

    public IReadOnlyList<VirtualAddress> VirtualAddresses { get; init; } = [];

    /// <summary>
    /// The v3 IPv4 checksum form we send. keepalived's default includes the pseudo-header; its
    /// <c>v3_checksum_as_v2</c> leaves it out. Both forms are accepted on receive.
    /// </summary>
    public VrrpChecksumForm Ipv4ChecksumForm { get; init; } = VrrpChecksumForm.V3PseudoHeader;

    /// <summary>VRRPv2 only: simple text password (auth type 1, at most 8 bytes); null for none.</summary>
    public string? AuthPassword { get; init; }

    /// <summary>Script run on each transition with <c>INSTANCE name STATE priority</c>.</summary>
    public string? NotifyScript { get; init; }

    /// <summary>The advert interval field as sent: v3 centiseconds, v2 seconds.</summary>
    internal ushort IntervalField => Version == 2
        ? (ushort)Math.Max(1, (int)AdvertInterval.TotalSeconds)
        : (ushort)Math.Clamp(AdvertInterval.Ticks / (TimeSpan.TicksPerMillisecond * 10), 1, 4095);
}
