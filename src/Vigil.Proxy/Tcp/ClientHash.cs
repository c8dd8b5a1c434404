using System.Net;

namespace Vigil.Proxy.Tcp;

/// <summary>
/// Hash of a client address for <see cref="Vigil.Balancing.PickContext"/>, so source-hash keeps a
/// client on one backend. Deterministic (FNV-1a, not the per-process randomized HashCode) so the
/// mapping survives a restart, and the port is left out so every connection of a client agrees.
/// </summary>
public static class ClientHash
{
    public static ulong Of(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var length);
        var hash = 14695981039346656037UL;
        foreach (var b in bytes[..length])
        {
            hash ^= b;
            hash *= 1099511628211UL;
        }
        // FNV's low bits mix poorly for short inputs; a final avalanche (splitmix64) spreads them
        // so "hash % backends" is even.
        hash ^= hash >> 30;
        hash *= 0xBF58476D1CE4E5B9UL;
        hash ^= hash >> 27;
        hash *= 0x94D049BB133111EBUL;
        return hash ^ (hash >> 31);
    }
}
