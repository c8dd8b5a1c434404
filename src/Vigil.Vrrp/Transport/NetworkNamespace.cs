using System.Runtime.InteropServices;

namespace Vigil.Vrrp.Transport;

/// <summary>
/// Runs code inside a named network namespace (<c>ip netns</c>), like keepalived's <c>net_namespace</c>.
/// A socket belongs to the namespace it was created in, so creating it on a thread that entered the
/// namespace is enough; the rest of the process stays where it is.
/// </summary>
public static partial class NetworkNamespace
{
    private const int CloneNewNet = 0x40000000;

    /// <summary>Runs <paramref name="action"/> in namespace <paramref name="name"/> (null: right here).</summary>
    public static T Run<T>(string? name, Func<T> action)
    {
        if (name is null)
        {
            return action();
        }
        T? result = default;
        Exception? error = null;
        // setns changes only the calling thread; a throwaway thread keeps the caller's namespace intact.
        var thread = new Thread(() =>
        {
            try
            {
                using var ns = File.OpenHandle($"/run/netns/{name}");
                if (setns(ns.DangerousGetHandle().ToInt32(), CloneNewNet) != 0)
                {
                    throw new InvalidOperationException($"setns({name}) failed: errno {Marshal.GetLastPInvokeError()}");
                }
                result = action();
            }
            catch (Exception ex)
            {
                error = ex;
            }
        });
        thread.Start();
        thread.Join();
        if (error is not null)
        {
            throw new InvalidOperationException($"in network namespace {name}: {error.Message}", error);
        }
        return result!;
    }

    /// <summary>The index of an interface as seen from the current thread's namespace.</summary>
    internal static int InterfaceIndex(string interfaceName)
    {
        var index = if_nametoindex(interfaceName);
        return index != 0 ? (int)index : throw new InvalidOperationException($"no interface {interfaceName}");
    }

    /// <summary>
    /// Opens a raw socket for an IP protocol .NET has no <see cref="System.Net.Sockets.ProtocolType"/> for
    /// (its constructor rejects 112), and hands the descriptor to <see cref="System.Net.Sockets.Socket"/>.
    /// </summary>
    internal static System.Net.Sockets.Socket OpenRawSocket(System.Net.Sockets.AddressFamily family, int protocol)
    {
        const int SockRaw = 3;
        const int SockCloexec = 0x80000;
        var domain = family == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 10 : 2;
        var fd = socket(domain, SockRaw | SockCloexec, protocol);
        if (fd < 0)
        {
            throw new System.Net.Sockets.SocketException(Marshal.GetLastPInvokeError());
        }
        return new System.Net.Sockets.Socket(new System.Net.Sockets.SafeSocketHandle(fd, ownsHandle: true));
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int socket(int domain, int type, int protocol);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setns(int fd, int nstype);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial uint if_nametoindex(string name);
}
