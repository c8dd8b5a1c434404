using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Vigil.Config;

/// <summary>
/// Addresses as operators write them: <c>host:port</c>, <c>[::1]:80</c>, and <c>address/prefix</c> for
/// virtual addresses and trusted proxies. Stricter than <see cref="IPAddress.TryParse(string, out IPAddress)"/>,
/// which takes <c>10.1</c> for 10.0.0.1 and would hide typos.
/// </summary>
public static class ConfigAddress
{
    /// <summary>Splits <c>host:port</c> or <c>[v6]:port</c>; the host is an IP literal or a DNS name.</summary>
    public static bool TryParseHostPort(string text, out string host, out int port, out string error)
    {
        host = "";
        port = 0;
        error = "";
        var s = text.Trim();
        string portText;
        if (s.StartsWith('['))
        {
            var close = s.IndexOf(']');
            if (close < 0 || close + 1 >= s.Length || s[close + 1] != ':')
            {
                error = $"'{text}' is not an address: write IPv6 as [::1]:80";
                return false;
            }
            host = s[1..close];
            portText = s[(close + 2)..];
            if (!IPAddress.TryParse(host, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                error = $"'{text}': '{host}' is not an IPv6 address";
                return false;
            }
        }
        else
        {
            var colon = s.LastIndexOf(':');
            if (colon < 0)
            {
                error = $"'{text}' needs a port (host:port)";
                return false;
            }
            if (s.IndexOf(':') != colon)
            {
                error = $"'{text}': write IPv6 addresses in brackets, e.g. [::1]:80";
                return false;
            }
            host = s[..colon];
            portText = s[(colon + 1)..];
            if (host is "" or "*")
            {
                error = $"'{text}' needs an address: 0.0.0.0{s[colon..]} (every IPv4 address) or [::]{s[colon..]} (every address)";
                return false;
            }
            if (!IsHostName(host) && !IsStrictIPv4(host))
            {
                error = $"'{text}': '{host}' is neither an IPv4 address nor a host name";
                return false;
            }
        }
        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
        {
            error = $"'{text}': port must be 1–65535";
            return false;
        }
        return true;
    }

    /// <summary>
    /// Parses an endpoint whose host must be an IP literal or <c>localhost</c> (listen addresses: a
    /// listener binds what it is told, so a name that resolves differently tomorrow is refused).
    /// </summary>
    public static bool TryParseLiteralEndPoint(string text, out IPEndPoint endPoint, out string error)
    {
        endPoint = new IPEndPoint(IPAddress.None, 0);
        if (!TryParseHostPort(text, out var host, out var port, out error)) return false;
        if (!TryLiteral(host, out var address))
        {
            error = $"'{text}': listen on an IP address or localhost, not a host name";
            return false;
        }
        endPoint = new IPEndPoint(address, port);
        return true;
    }

    /// <summary>An IP literal, or <c>localhost</c> as 127.0.0.1 (not ::1, so it matches what backends on loopback usually bind).</summary>
    public static bool TryLiteral(string host, out IPAddress address)
    {
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            address = IPAddress.Loopback;
            return true;
        }
        if (IsStrictIPv4(host) || host.Contains(':')) return IPAddress.TryParse(host, out address!);
        address = IPAddress.None;
        return false;
    }

    /// <summary><c>192.0.2.50/24</c>, <c>2001:db8::1/64</c>, or a bare address (full-length prefix). Host bits may be set.</summary>
    public static bool TryParsePrefix(string text, out IPAddress address, out int prefixLength, out string error)
    {
        address = IPAddress.None;
        prefixLength = 0;
        error = "";
        var s = text.Trim();
        var slash = s.IndexOf('/');
        var addressText = slash < 0 ? s : s[..slash];
        if (!(IsStrictIPv4(addressText) || addressText.Contains(':')) || addressText.Contains('%')
            || !IPAddress.TryParse(addressText, out address!))
        {
            error = $"'{text}' is not an IP address or CIDR (e.g. 192.0.2.50/24, 2001:db8::50/64)";
            address = IPAddress.None;
            return false;
        }
        var max = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        if (slash < 0)
        {
            prefixLength = max;
            return true;
        }
        if (!int.TryParse(s.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out prefixLength) || prefixLength > max)
        {
            error = $"'{text}': prefix length must be 0–{max}";
            return false;
        }
        return true;
    }

    /// <summary>Parses a CIDR and clears the host bits (trusted_proxies: <c>10.1.2.3/8</c> means 10.0.0.0/8).</summary>
    public static bool TryParseNetwork(string text, out IPNetwork network, out string error)
    {
        network = default;
        if (!TryParsePrefix(text, out var address, out var prefix, out error)) return false;
        var bytes = address.GetAddressBytes();
        for (var bit = prefix; bit < bytes.Length * 8; bit++) bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        network = new IPNetwork(new IPAddress(bytes), prefix);
        return true;
    }

    public static bool IsWildcard(IPAddress a) => a.Equals(IPAddress.Any) || a.Equals(IPAddress.IPv6Any);

    private static bool IsStrictIPv4(string s)
    {
        var parts = s.Split('.');
        if (parts.Length != 4) return false;
        foreach (var p in parts)
        {
            if (p.Length is 0 or > 3 || !p.All(char.IsAsciiDigit) || int.Parse(p, CultureInfo.InvariantCulture) > 255) return false;
        }
        return true;
    }

    /// <summary>RFC 1123 host name: labels of letters, digits and hyphens, not all-numeric.</summary>
    private static bool IsHostName(string s)
    {
        if (s.Length is 0 or > 253) return false;
        var labels = s.Split('.');
        foreach (var l in labels)
        {
            if (l.Length is 0 or > 63 || l[0] == '-' || l[^1] == '-') return false;
            if (!l.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')) return false;
        }
        // All-numeric dotted strings are malformed IPv4 addresses, not names.
        return !labels[^1].All(char.IsAsciiDigit);
    }
}
