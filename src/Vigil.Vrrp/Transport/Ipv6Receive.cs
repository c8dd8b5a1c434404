using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Vigil.Vrrp.Transport;

/// <summary>
/// recvmsg for a raw IPv6 socket: an IPv6 raw socket never sees the IP header, so the hop limit
/// (RFC 9568 §7.1: MUST be 255) and the destination only arrive as ancillary data, which .NET's
/// ReceiveMessageFrom does not expose for the hop limit.
/// </summary>
internal static unsafe partial class Ipv6Receive
{
    private const int IpprotoIpv6 = 41;
    private const int Ipv6RecvPktInfo = 49;
    private const int Ipv6PktInfo = 50;
    private const int Ipv6RecvHopLimit = 51;
    private const int Ipv6HopLimit = 52;
    private const int MsgDontWait = 0x40;

    public static void Enable(Socket socket)
    {
        socket.SetRawSocketOption(IpprotoIpv6, Ipv6RecvPktInfo, BitConverter.GetBytes(1));
        socket.SetRawSocketOption(IpprotoIpv6, Ipv6RecvHopLimit, BitConverter.GetBytes(1));
    }

    /// <summary>Receives one datagram; returns its length, or −1 with nothing pending (or on error).</summary>
    public static int Receive(Socket socket, Span<byte> buffer, Span<byte> source, Span<byte> destination, out int hopLimit)
    {
        hopLimit = 0;
        var name = stackalloc byte[28];
        var control = stackalloc byte[128];
        fixed (byte* data = buffer)
        {
            var iov = new IoVec { Base = data, Length = (nuint)buffer.Length };
            var msg = new MsgHdr { Name = name, NameLength = 28, Iov = &iov, IovLength = 1, Control = control, ControlLength = 128 };
            var n = recvmsg((int)socket.Handle, &msg, MsgDontWait);
            if (n < 0)
            {
                return -1;
            }
            new ReadOnlySpan<byte>(name + 8, 16).CopyTo(source);
            // Walk the control messages (CMSG_FIRSTHDR / CMSG_NXTHDR with 8-byte alignment).
            var offset = 0;
            while (offset + 16 <= (int)msg.ControlLength)
            {
                var header = (CmsgHdr*)(control + offset);
                var length = (int)header->Length;
                if (length < 16)
                {
                    break;
                }
                if (header->Level == IpprotoIpv6 && header->Type == Ipv6PktInfo)
                {
                    new ReadOnlySpan<byte>(control + offset + 16, 16).CopyTo(destination);
                }
                else if (header->Level == IpprotoIpv6 && header->Type == Ipv6HopLimit)
                {
                    hopLimit = *(int*)(control + offset + 16);
                }
                offset += (length + 7) & ~7;
            }
            return (int)n;
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct IoVec
    {
        public byte* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MsgHdr
    {
        public byte* Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public byte* Control;
        public nuint ControlLength;
        public int Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct CmsgHdr
    {
        public nuint Length;
        public int Level;
        public int Type;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint recvmsg(int fd, MsgHdr* msg, int flags);
}
