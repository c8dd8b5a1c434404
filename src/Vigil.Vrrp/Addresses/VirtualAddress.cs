using System.Net;
using System.Net.Sockets;

namespace Vigil.Vrrp.Addresses;

/// <summary>A virtual address with its prefix length, as written in config: <c>192.0.2.50/24</c>.</summary>
public sealed record VirtualAddress(IPAddress Address, int PrefixLength)
{
    public static VirtualAddress Parse(string text)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var address = IPAddress.Parse(slash < 0 ? text : text[..slash]);
        var max = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var prefix = slash < 0 ? max : int.Parse(text.AsSpan(slash + 1), System.Globalization.CultureInfo.InvariantCulture);
        if (prefix < 0 || prefix > max)
        {
            throw new FormatException($"prefix length {prefix} out of range for {address}");
        }
        return new VirtualAddress(address, prefix);
    }

    public override string ToString() => $"{Address}/{PrefixLength}";
}
