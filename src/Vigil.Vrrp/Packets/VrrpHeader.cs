namespace Vigil.Vrrp.Packets;

/// <summary>
/// The fixed fields of a VRRP advertisement, v2 or v3. <see cref="Interval"/> is the raw field:
/// centiseconds (12 bits) in v3, whole seconds in v2.
/// </summary>
public readonly record struct VrrpHeader
{
    public const byte AdvertisementType = 1;
    public const int FixedLength = 8;
    public const int V2AuthLength = 8;

    public byte Version { get; init; }
    public byte Type { get; init; }
    public byte Vrid { get; init; }
    public byte Priority { get; init; }
    public byte CountIp { get; init; }
    /// <summary>v3: Max Adver Int in centiseconds; v2: Adver Int in seconds.</summary>
    public ushort Interval { get; init; }
    /// <summary>v2 only: 0 none, 1 simple text password (RFC 2338 §5.3.6).</summary>
    public byte AuthType { get; init; }
    /// <summary>v2 only: the 8 authentication bytes, big-endian as on the wire.</summary>
    public ulong AuthData { get; init; }
    public ushort Checksum { get; init; }

    /// <summary>The advertisement interval as time: v3 centiseconds or v2 seconds.</summary>
    public TimeSpan AdvertisementInterval =>
        Version == 2 ? TimeSpan.FromSeconds(Interval) : TimeSpan.FromMilliseconds(Interval * 10);

    /// <summary>Length of the message for an address family (4 or 16 byte addresses).</summary>
    public int MessageLength(int addressLength) =>
        FixedLength + CountIp * addressLength + (Version == 2 ? V2AuthLength : 0);
}
