using System.Net.Sockets;

namespace Vigil.Hosting;

/// <summary>
/// Something named in the config could not start: a listener could not bind, a cache's disk store
/// could not open, the token file could not be read. The message is one line, <c>what: reason</c>
/// (<c>listener www: cannot listen on 0.0.0.0:80: Address already in use</c>), which `vigil run`
/// prints before exiting 1, and a reload reports while the running config stays.
/// </summary>
public sealed class StartException(string what, string reason, Exception? inner = null)
    : Exception($"{what}: {reason}", inner)
{
    /// <summary>The innermost message: Kestrel wraps "Address already in use" twice.</summary>
    public static string Reason(Exception ex)
    {
        var reason = ex;
        while (reason.InnerException is { } inner && reason is not SocketException) reason = inner;
        return reason.Message;
    }

    /// <summary>True for a failure to bind an address (retried while an old master lets go of a VIP).</summary>
    public bool IsBind => InnerException is IOException or SocketException;
}
