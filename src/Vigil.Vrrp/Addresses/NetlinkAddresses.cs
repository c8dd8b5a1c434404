using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Vigil.Vrrp.Transport;

namespace Vigil.Vrrp.Addresses;

/// <summary>
/// Adds and removes interface addresses with rtnetlink (RTM_NEWADDR / RTM_DELADDR), what <c>ip addr</c> does,
/// without starting a process: measured in the failover lab, spawning <c>ip</c> on a takeover cost more
/// than the whole Master_Down_Interval at 20 ms on a loaded machine. The socket is opened once, inside the
/// instance's network namespace when it has one.
/// </summary>
internal sealed partial class NetlinkAddresses : IDisposable
{
    private const int AfNetlink = 16;
    private const int SockRaw = 3;
    private const int SockCloexec = 0x80000;
    private const int NetlinkRoute = 0;
    private const ushort RtmNewLink = 16;
    private const ushort RtmNewAddr = 20;
    private const ushort RtmDelAddr = 21;
    private const ushort NlmsgError = 2;
    private const ushort NlmFRequest = 0x1;
    private const ushort NlmFAck = 0x4;
    private const ushort NlmFExcl = 0x200;
    private const ushort NlmFCreate = 0x400;
    private const ushort IfaAddress = 1;
    private const ushort IfaLocal = 2;
    private const ushort IfaFlags = 8;
    private const uint IfaFNoDad = 0x02;
    private const int Eexist = 17;
    private const int Eaddrnotavail = 99;

    private readonly Socket _socket;
    private readonly Lock _lock = new();
    private readonly byte[] _buffer = new byte[8192];
    private uint _sequence;

    private NetlinkAddresses(Socket socket) => _socket = socket;

    public static NetlinkAddresses Open(string? networkNamespace) => NetworkNamespace.Run(networkNamespace, () =>
    {
        var fd = socket(AfNetlink, SockRaw | SockCloexec, NetlinkRoute);
        if (fd < 0)
        {
            throw new SocketException(Marshal.GetLastPInvokeError());
        }
        return new NetlinkAddresses(new Socket(new SafeSocketHandle(fd, ownsHandle: true)));
    });

    /// <summary>Adds an address; true when added, false when it was there already.</summary>
    public bool Add(int ifindex, VirtualAddress address)
    {
        var error = Request(RtmNewAddr, NlmFRequest | NlmFAck | NlmFCreate | NlmFExcl, ifindex, address);
        return error == 0 ? true : error == -Eexist ? false : throw Failure("add", address, error);
    }

    /// <summary>Removes an address; true when removed, false when it was not there.</summary>
    public bool Remove(int ifindex, VirtualAddress address)
    {
        var error = Request(RtmDelAddr, NlmFRequest | NlmFAck, ifindex, address);
        return error == 0 ? true : error == -Eaddrnotavail ? false : throw Failure("del", address, error);
    }

    /// <summary>Sets a link up or down (RTM_NEWLINK changing IFF_UP only), like <c>ip link set dev X up</c>.</summary>
    public void SetLinkUp(int ifindex, bool up)
    {
        lock (_lock)
        {
            var m = _buffer.AsSpan();
            var seq = ++_sequence;
            const int length = 16 + 16; // nlmsghdr + ifinfomsg
            m[..length].Clear();
            BinaryPrimitives.WriteUInt32LittleEndian(m, length);
            BinaryPrimitives.WriteUInt16LittleEndian(m[4..], RtmNewLink);
            BinaryPrimitives.WriteUInt16LittleEndian(m[6..], NlmFRequest | NlmFAck);
            BinaryPrimitives.WriteUInt32LittleEndian(m[8..], seq);
            BinaryPrimitives.WriteInt32LittleEndian(m[20..], ifindex);
            BinaryPrimitives.WriteUInt32LittleEndian(m[24..], up ? 1u : 0u); // ifi_flags: IFF_UP
            BinaryPrimitives.WriteUInt32LittleEndian(m[28..], 1u);           // ifi_change: only IFF_UP
            _socket.Send(m[..length]);
            var error = ReadAck(seq);
            if (error != 0)
            {
                throw new InvalidOperationException($"netlink link {ifindex} {(up ? "up" : "down")}: errno {-error}");
            }
        }
    }

    private static InvalidOperationException Failure(string verb, VirtualAddress address, int error) =>
        new($"netlink addr {verb} {address}: errno {-error}");

    private int Request(ushort type, ushort flags, int ifindex, VirtualAddress address)
    {
        lock (_lock)
        {
            var bytes = address.Address.GetAddressBytes();
            var ipv6 = bytes.Length == 16;
            var m = _buffer.AsSpan();
            var seq = ++_sequence;
            // nlmsghdr (16) + ifaddrmsg (8) + attributes, each rtattr (4) + payload padded to 4.
            var length = 16 + 8;
            m[..64].Clear();
            m[16] = (byte)(ipv6 ? 10 : 2); // AF_INET6 : AF_INET
            m[17] = (byte)address.PrefixLength;
            m[18] = 0;
            m[19] = 0; // scope: universe; the kernel scopes IPv6 by address
            BinaryPrimitives.WriteInt32LittleEndian(m[20..], ifindex);
            length = Attribute(m, length, IfaLocal, bytes);
            length = Attribute(m, length, IfaAddress, bytes);
            if (ipv6)
            {
                Span<byte> nodad = stackalloc byte[4];
                BinaryPrimitives.WriteUInt32LittleEndian(nodad, IfaFNoDad); // usable at once, like `ip addr add ... nodad`
                length = Attribute(m, length, IfaFlags, nodad);
            }
            BinaryPrimitives.WriteUInt32LittleEndian(m, (uint)length);
            BinaryPrimitives.WriteUInt16LittleEndian(m[4..], type);
            BinaryPrimitives.WriteUInt16LittleEndian(m[6..], flags);
            BinaryPrimitives.WriteUInt32LittleEndian(m[8..], seq);
            _socket.Send(m[..length]);

            return ReadAck(seq);
        }
    }

    // Reads until the ack (NLMSG_ERROR with error 0) or the error for our sequence number.
    private int ReadAck(uint seq)
    {
        for (var attempt = 0; attempt < 16; attempt++)
        {
            var n = _socket.Receive(_buffer);
            var offset = 0;
            while (offset + 16 <= n)
            {
                var r = _buffer.AsSpan(offset, n - offset);
                var len = (int)BinaryPrimitives.ReadUInt32LittleEndian(r);
                if (len < 16)
                {
                    break;
                }
                if (BinaryPrimitives.ReadUInt16LittleEndian(r[4..]) == NlmsgError && BinaryPrimitives.ReadUInt32LittleEndian(r[8..]) == seq)
                {
                    return BinaryPrimitives.ReadInt32LittleEndian(r[16..]);
                }
                offset += (len + 3) & ~3;
            }
        }
        throw new InvalidOperationException("netlink: no acknowledgement");
    }

    private static int Attribute(Span<byte> m, int offset, ushort type, ReadOnlySpan<byte> payload)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(m[offset..], (ushort)(4 + payload.Length));
        BinaryPrimitives.WriteUInt16LittleEndian(m[(offset + 2)..], type);
        payload.CopyTo(m[(offset + 4)..]);
        return offset + ((4 + payload.Length + 3) & ~3);
    }

    public void Dispose() => _socket.Dispose();

    [LibraryImport("libc", SetLastError = true)]
    private static partial int socket(int domain, int type, int protocol);
}
