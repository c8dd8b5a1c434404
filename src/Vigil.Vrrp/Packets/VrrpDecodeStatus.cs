namespace Vigil.Vrrp.Packets;

/// <summary>Why a received packet was accepted or dropped; counted per reason (RFC 9568 §7.1, RFC 3768 §7.1).</summary>
public enum VrrpDecodeStatus
{
    Ok = 0,
    /// <summary>Shorter than the fixed header, or than its own address count says.</summary>
    TooShort,
    /// <summary>Longer than the header plus its address list (and auth data for v2).</summary>
    BadLength,
    /// <summary>Version is not the one the codec was asked for (2 or 3), or v2 over IPv6.</summary>
    BadVersion,
    /// <summary>Type is not 1 (ADVERTISEMENT).</summary>
    BadType,
    /// <summary>The VRRP checksum matches none of the accepted forms.</summary>
    BadChecksum,
    /// <summary>IPv4 TTL or IPv6 hop limit is not 255 (RFC 9568 §7.1: the packet may have been forwarded).</summary>
    BadTtl,
    /// <summary>The IP header is malformed (version, IHL, total length, header checksum) or is a fragment.</summary>
    BadIpHeader,
    /// <summary>IP protocol / next header is not 112.</summary>
    BadProtocol,
    /// <summary>The VRID is not one this node runs.</summary>
    UnknownVrid,
    /// <summary>VRRPv2: the advert interval differs from ours (RFC 3768 §7.1 says MUST discard).</summary>
    IntervalMismatch,
    /// <summary>VRRPv2: authentication type or data differ from ours.</summary>
    AuthMismatch,
    /// <summary>Our own advert looped back.</summary>
    OwnAdvert,
    /// <summary>An address family the instance does not run.</summary>
    WrongFamily,
}
