namespace Vigil.Vrrp.Packets;

/// <summary>
/// Which bytes a VRRP checksum covers. RFC 9568 §5.2.8 covers an IP pseudo-header for v3; keepalived
/// includes it for IPv4 by default, and leaves it out with <c>v3_checksum_as_v2</c>. Both exist in the
/// field, so a receiver accepts either and counts which one matched.
/// </summary>
public enum VrrpChecksumForm
{
    None = 0,
    /// <summary>VRRPv2 (RFC 3768 §5.3.8): the VRRP message only.</summary>
    V2Message,
    /// <summary>VRRPv3: pseudo-header (IPv4 or IPv6) plus the VRRP message.</summary>
    V3PseudoHeader,
    /// <summary>VRRPv3 over IPv4 computed like v2, without the pseudo-header (keepalived's v3_checksum_as_v2).</summary>
    V3WithoutPseudoHeader,
}
