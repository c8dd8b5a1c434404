using System.Net;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Vigil.Vrrp.Runtime;

/// <summary>An IPv4 or IPv6 address held inline (no allocation), for per-packet paths.</summary>
public struct AddressBytes
{
    private Buffer16 _bytes;

    public int Length { get; private set; }

    public static AddressBytes From(ReadOnlySpan<byte> address)
    {
        var a = new AddressBytes { Length = Math.Min(address.Length, 16) };
        address[..a.Length].CopyTo(a._bytes);
        return a;
    }

    public static AddressBytes From(IPAddress address)
    {
        Span<byte> tmp = stackalloc byte[16];
        address.TryWriteBytes(tmp, out var n);
        return From(tmp[..n]);
    }

    [UnscopedRef]
    public ReadOnlySpan<byte> Span => ((ReadOnlySpan<byte>)_bytes)[..Length];

    public readonly IPAddress ToIPAddress() => new(((ReadOnlySpan<byte>)_bytes)[..Length]);

    [InlineArray(16)]
    private struct Buffer16
    {
        private byte _first;
    }
}
