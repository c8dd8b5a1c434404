using System.Net;

namespace Vigil.Proxy.Http;

/// <summary>
/// A well-mixed 64-bit hash of the client address for source-hash and consistent-hash pools,
/// computed on the stack. IPv4-mapped IPv6 addresses hash like their IPv4 form, so a client keeps
/// its backend whichever socket family accepted it.
/// </summary>
internal static class ClientHash
{
    public static ulong Of(IPAddress? address)
    {
        if (address is null) return 0;
        Span<byte> bytes = stackalloc byte[16];
        if (!address.TryWriteBytes(bytes, out var length)) return 0;
        var span = bytes[..length];
        if (address.IsIPv4MappedToIPv6) span = span[12..];
        // FNV-1a, then the SplitMix64 finalizer so nearby addresses land far apart.
        var h = 14695981039346656037UL;
        foreach (var b in span) h = (h ^ b) * 1099511628211UL;
        h ^= h >> 30; h *= 0xbf58476d1ce4e5b9UL;
        h ^= h >> 27; h *= 0x94d049bb133111ebUL;
        h ^= h >> 31;
        return h;
    }
}
