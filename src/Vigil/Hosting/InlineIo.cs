namespace Vigil.Hosting;

/// <summary>
/// Inline I/O scheduling: socket completions and Kestrel's request handling run on the epoll thread
/// instead of hopping to the thread pool. Measured on the L7 path (docs/BENCHMARKS.md) it saves a
/// thread switch per read and write; it is safe only because nothing on Vigil's data paths blocks
/// (everything is async, VRRP runs on its own threads). <c>VIGIL_INLINE_IO=0</c> turns it off.
/// </summary>
public static class InlineIo
{
    public static bool Enabled { get; } = Environment.GetEnvironmentVariable("VIGIL_INLINE_IO") != "0";

    /// <summary>Call first thing in Main: the runtime reads its switch when the first socket starts.</summary>
    public static void Configure()
    {
        if (Enabled) Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");
    }
}
