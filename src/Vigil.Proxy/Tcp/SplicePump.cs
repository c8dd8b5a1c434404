using System.Buffers;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Vigil.Proxy.Tcp;

/// <summary>
/// Copies one direction with splice(2): socket → pipe → socket, so payload pages move inside the
/// kernel and never enter user space (what HAProxy does with <c>option splice-auto</c>).
/// </summary>
/// <remarks>
/// Both sockets stay owned by .NET's async engine: readiness to read is awaited with a zero-byte
/// <see cref="Socket.ReceiveAsync(Memory{byte}, SocketFlags, CancellationToken)"/>, which completes
/// when data or a FIN is waiting without consuming it. .NET has no "wait until writable", so when
/// the receiver's buffer is full the bytes already in the pipe are read out into a pooled buffer
/// and sent with an ordinary async send; the next chunk goes back to splice.
/// </remarks>
internal static class SplicePump
{
    // One pipe's worth per splice call; 256 KiB pipes take four times the default 64 KiB per call.
    private const int PipeSize = 256 * 1024;
    private const int SmallChunk = 16 * 1024;

    public static bool IsSupported { get; } = OperatingSystem.IsLinux() && Probe();

    public static async Task RunAsync(Socket from, Socket to, TcpProxyConnection connection, TcpFlow flow, CancellationToken cancellationToken)
    {
        var (pipeRead, pipeWrite) = OpenPipe();
        var fromHandle = from.SafeHandle;
        var toHandle = to.SafeHandle;
        bool fromRef = false, toRef = false;
        byte[]? fallback = null;
        try
        {
            // Hold the descriptors so a concurrent dispose cannot close (and the process reuse) them mid-call.
            fromHandle.DangerousAddRef(ref fromRef);
            toHandle.DangerousAddRef(ref toRef);
            var inFd = (int)fromHandle.DangerousGetHandle();
            var outFd = (int)toHandle.DangerousGetHandle();
            SetNonBlocking(inFd);
            SetNonBlocking(outFd);

            while (true)
            {
                var moved = LinuxSplice.Splice(inFd, 0, pipeWrite, 0, PipeSize, LinuxSplice.SPLICE_F_MOVE | LinuxSplice.SPLICE_F_NONBLOCK);
                if (moved == 0) break; // FIN
                if (moved < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == LinuxSplice.EINTR) continue;
                    if (errno != LinuxSplice.EAGAIN) throw new SocketException(errno);
                    await from.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, cancellationToken).ConfigureAwait(false);
                    continue;
                }
                connection.Touch();
                var pending = (int)moved;
                while (pending > 0)
                {
                    var sent = LinuxSplice.Splice(pipeRead, 0, outFd, 0, (nuint)pending, LinuxSplice.SPLICE_F_MOVE | LinuxSplice.SPLICE_F_NONBLOCK);
                    if (sent > 0)
                    {
                        pending -= (int)sent;
                        continue;
                    }
                    var errno = Marshal.GetLastPInvokeError();
                    if (sent < 0 && errno == LinuxSplice.EINTR) continue;
                    if (sent == 0 || errno != LinuxSplice.EAGAIN) throw new SocketException(sent == 0 ? (int)SocketError.ConnectionReset : errno);
                    // The receiver is full: move what is in the pipe through a buffer and await the send.
                    fallback ??= ArrayPool<byte>.Shared.Rent(PipeSize);
                    var read = ReadPipe(pipeRead, fallback, pending);
                    await SendAllAsync(to, fallback.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    pending -= read;
                }
                connection.AddBytes(flow, (int)moved);
                // A small chunk means the socket is most likely drained: wait for readiness now
                // rather than pay for a splice that returns EAGAIN (request/response traffic).
                if (moved < SmallChunk) await from.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            }
            to.Shutdown(SocketShutdown.Send);
        }
        finally
        {
            if (fromRef) fromHandle.DangerousRelease();
            if (toRef) toHandle.DangerousRelease();
            LinuxSplice.Close(pipeRead);
            LinuxSplice.Close(pipeWrite);
            if (fallback is not null) ArrayPool<byte>.Shared.Return(fallback);
        }
    }

    private static async ValueTask SendAllAsync(Socket to, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        while (!data.IsEmpty)
        {
            var sent = await to.SendAsync(data, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            data = data[sent..];
        }
    }

    private static unsafe int ReadPipe(int pipeRead, byte[] buffer, int count)
    {
        fixed (byte* p = buffer)
        {
            var total = 0;
            while (total < count)
            {
                var n = LinuxSplice.Read(pipeRead, p + total, (nuint)(count - total));
                if (n > 0) { total += (int)n; continue; }
                var errno = Marshal.GetLastPInvokeError();
                if (n < 0 && errno == LinuxSplice.EINTR) continue;
                // The pipe holds exactly what splice reported, so a short read here is a kernel surprise.
                throw new IOException($"read from splice pipe failed: errno {errno}");
            }
            return total;
        }
    }

    private static unsafe (int Read, int Write) OpenPipe()
    {
        int* fds = stackalloc int[2];
        if (LinuxSplice.Pipe2(fds, LinuxSplice.O_NONBLOCK | LinuxSplice.O_CLOEXEC) != 0)
            throw new IOException($"pipe2 failed: errno {Marshal.GetLastPInvokeError()}");
        // Best effort: a bigger pipe moves more per call; the default (64 KiB) still works.
        LinuxSplice.Fcntl(fds[1], LinuxSplice.F_SETPIPE_SZ, PipeSize);
        return (fds[0], fds[1]);
    }

    private static void SetNonBlocking(int fd)
    {
        var flags = LinuxSplice.Fcntl(fd, LinuxSplice.F_GETFL, 0);
        if (flags >= 0 && (flags & LinuxSplice.O_NONBLOCK) == 0) LinuxSplice.Fcntl(fd, LinuxSplice.F_SETFL, flags | LinuxSplice.O_NONBLOCK);
    }

    private static bool Probe()
    {
        try
        {
            var (r, w) = OpenPipe();
            LinuxSplice.Close(r);
            LinuxSplice.Close(w);
            return true;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or IOException)
        {
            return false;
        }
    }
}
