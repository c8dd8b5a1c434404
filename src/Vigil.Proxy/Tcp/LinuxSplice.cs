using System.Runtime.InteropServices;

namespace Vigil.Proxy.Tcp;

/// <summary>
/// The few libc calls the zero-copy path needs (splice(2), pipe2(2), fcntl(2)). .NET exposes none
/// of them, so they are declared here; Linux only, checked by <see cref="SplicePump.IsSupported"/>.
/// </summary>
internal static unsafe partial class LinuxSplice
{
    public const uint SPLICE_F_MOVE = 1;
    public const uint SPLICE_F_NONBLOCK = 2;
    public const uint SPLICE_F_MORE = 4;
    public const int O_NONBLOCK = 0x800;
    public const int O_CLOEXEC = 0x80000;
    public const int F_GETFL = 3;
    public const int F_SETFL = 4;
    public const int F_SETPIPE_SZ = 1031;
    public const int EINTR = 4;
    public const int EAGAIN = 11;

    [LibraryImport("libc", EntryPoint = "splice", SetLastError = true)]
    public static partial nint Splice(int fdIn, nint offIn, int fdOut, nint offOut, nuint length, uint flags);

    [LibraryImport("libc", EntryPoint = "pipe2", SetLastError = true)]
    public static partial int Pipe2(int* fds, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    public static partial int Fcntl(int fd, int command, int argument);
}
