using Vigil.Vrrp.Addresses;
using Vigil.Vrrp.Packets;

namespace Vigil.Vrrp;

/// <summary>
/// One virtual router's configuration; <see cref="Validate"/> holds its rules (VRID 1–255, priority
/// 1–255, interval bounds, addresses of one family), which the host's `vigil check` reports.
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

    /// <summary>Like the generated one, but the password prints as (hidden): a logged record must not leak it.</summary>
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append(System.Globalization.CultureInfo.InvariantCulture,
            $"Name = {Name}, Vrid = {Vrid}, Priority = {Priority}, AdvertInterval = {AdvertInterval}, Preempt = {Preempt}, ");
        builder.Append(System.Globalization.CultureInfo.InvariantCulture,
            $"PreemptDelay = {PreemptDelay}, Version = {Version}, VirtualAddresses = [{string.Join(", ", VirtualAddresses)}], ");
        builder.Append(System.Globalization.CultureInfo.InvariantCulture,
            $"Ipv4ChecksumForm = {Ipv4ChecksumForm}, AuthPassword = {(AuthPassword is null ? "" : "(hidden)")}, NotifyScript = {NotifyScript}");
        return true;
    }

    /// <summary>Every problem with these options, empty when valid, worded <c>vrrp NAME: key rule</c>.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        void Add(string error) => errors.Add($"vrrp {Name}: {error}");
        if (string.IsNullOrWhiteSpace(Name)) errors.Add("vrrp instance name is empty");
        if (Vrid < 1) Add("vrid must be 1–255");
        if (Priority < 1) Add("priority must be 1–255");
        if (Version is not (2 or 3)) Add("version must be 2 or 3");
        // RFC 9568 §5.2.7: 12 bits of centiseconds; RFC 3768 §5.3.7: 8 bits of seconds.
        if (Version == 3 && (AdvertInterval < TimeSpan.FromMilliseconds(10) || AdvertInterval > TimeSpan.FromMilliseconds(40_950)
                             || AdvertInterval.Ticks % (10 * TimeSpan.TicksPerMillisecond) != 0))
            Add("advert_interval must be 10ms–40.95s in 10ms steps (VRRPv3)");
        if (Version == 2 && (AdvertInterval < TimeSpan.FromSeconds(1) || AdvertInterval > TimeSpan.FromSeconds(255)
                             || AdvertInterval.Ticks % TimeSpan.TicksPerSecond != 0))
            Add("advert_interval must be whole seconds 1s–255s (VRRPv2)");
        if (PreemptDelay < TimeSpan.Zero) Add("preempt_delay must not be negative");
        if (VirtualAddresses.Count is 0 or > 255) Add("virtual_addresses must hold 1–255 addresses");
        else if (VirtualAddresses.Any(a => a.Address.AddressFamily != VirtualAddresses[0].Address.AddressFamily))
            Add("virtual_addresses must all be of one family");
        else if (Version == 2 && VirtualAddresses[0].Address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
            Add("virtual_addresses must be IPv4 with VRRPv2 (RFC 3768)");
        if (AuthPassword is not null && (Version != 2 || System.Text.Encoding.UTF8.GetByteCount(AuthPassword) > 8))
            Add("auth_pass exists only in VRRPv2, at most 8 bytes (RFC 3768 §5.3.6)");
        return errors;
    }

    /// <summary>The advert interval field as sent: v3 centiseconds, v2 seconds.</summary>
    internal ushort IntervalField => Version == 2
        ? (ushort)Math.Max(1, (int)AdvertInterval.TotalSeconds)
        : (ushort)Math.Clamp(AdvertInterval.Ticks / (TimeSpan.TicksPerMillisecond * 10), 1, 4095);
}
