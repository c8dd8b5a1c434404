using System.Runtime.InteropServices;

namespace Vigil.Vrrp.Addresses;

/// <summary>
/// A Linux AF_PACKET socket that sends whole Ethernet frames out of one interface (needs CAP_NET_RAW).
/// .NET has no sockaddr_ll endpoint, so the two calls are made directly; it sends the frames built by
/// <see cref="Packets.GratuitousArpFrame"/> and <see cref="Packets.NeighborAdvertisementFrame"/>, byte for
/// byte what keepalived sends.
/// </summary>
internal sealed partial class PacketSocket : IDisposable
{
    private const int AF_PACKET = 17;
    private const int SOCK_RAW = 3;
    private readonly int _fd;
    private readonly int _ifindex;

    private PacketSocket(int fd, int ifindex)
    {
        _fd = fd;
        _ifindex = ifindex;
    }

    /// <summary>Opens the socket; null (with the errno) when not permitted or not on Linux.</summary>
    public static PacketSocket? TryOpen(int ifindex, out int errno)
    {
        errno = 0;
        if (!OperatingSystem.IsLinux())
        {
            errno = -1;
            return null;
        }
        // Protocol 0: send only, receive nothing.
        var fd = socket(AF_PACKET, SOCK_RAW, 0);
        if (fd < 0)
        {
            errno = Marshal.GetLastPInvokeError();
            return null;
        }
        return new PacketSocket(fd, ifindex);
    }

    /// <summary>Sends one frame; returns 0 or the errno.</summary>
    public unsafe int Send(ReadOnlySpan<byte> frame)
    {
        var addr = new SockAddrLl
        {
            Family = AF_PACKET,
            Protocol = (ushort)((frame[12] << 0) | (frame[13] << 8)), // already network order: ethertype bytes as they are
            IfIndex = _ifindex,
            HaLen = 6,
        };
        for (var i = 0; i < 6; i++)
        {
            addr.Addr[i] = frame[i];
        }
        fixed (byte* p = frame)
        {
            var n = sendto(_fd, p, (nuint)frame.Length, 0, &addr, (uint)sizeof(SockAddrLl));
            return n < 0 ? Marshal.GetLastPInvokeError() : 0;
        }
    }

    public void Dispose() => close(_fd);

    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct SockAddrLl
    {
        public ushort Family;
        public ushort Protocol;
        public int IfIndex;
        public ushort HaType;
        public byte PktType;
        public byte HaLen;
        public fixed byte Addr[8];
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int socket(int domain, int type, int protocol);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial nint sendto(int fd, byte* buf, nuint len, int flags, SockAddrLl* addr, uint addrlen);

    [LibraryImport("libc")]
    private static partial int close(int fd);
}
