namespace Vigil.Vrrp.Addresses;

/// <summary>The virtual router MAC address of RFC 9568 §7.3: 00-00-5E-00-01-{VRID} (IPv4), 00-00-5E-00-02-{VRID} (IPv6).</summary>
public static class VirtualMac
{
    public static byte[] For(byte vrid, bool ipv6) => [0x00, 0x00, 0x5E, 0x00, ipv6 ? (byte)0x02 : (byte)0x01, vrid];

    public static string Format(byte vrid, bool ipv6) => string.Join(':', For(vrid, ipv6).Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
}
