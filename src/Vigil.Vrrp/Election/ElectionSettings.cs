namespace Vigil.Vrrp.Election;

/// <summary>What the election needs of an instance's configuration (RFC 9568 §6.1 parameters).</summary>
public sealed record ElectionSettings
{
    /// <summary>1–254, or 255 for the address owner.</summary>
    public required byte Priority { get; init; }

    /// <summary>Advertisement_Interval: how often a master advertises (v3: centisecond resolution).</summary>
    public required TimeSpan AdvertisementInterval { get; init; }

    /// <summary>Preempt_Mode: a higher-priority backup takes over from a lower-priority master.</summary>
    public bool Preempt { get; init; } = true;

    /// <summary>Like keepalived's preempt_delay: no preemption until this long after startup.</summary>
    public TimeSpan PreemptDelay { get; init; }

    /// <summary>This router's primary IP address (4 or 16 bytes), for the tie-break of equal priorities.</summary>
    public required ReadOnlyMemory<byte> PrimaryAddress { get; init; }
}
