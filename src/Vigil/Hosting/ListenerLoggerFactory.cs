using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Vigil.Hosting;

/// <summary>
/// The logger factory a listener's Kestrel host gets: the daemon's own, without the generic host's "Hosting failed
/// to start". A listener that cannot bind throws, and the daemon handles and reports that itself (a bind-mode
/// takeover retries while the old master on the same host lets go of the address, a reload keeps the running
/// configuration); the host's own error line, with its stack trace, printed on every retry.
/// </summary>
internal sealed class ListenerLoggerFactory(ILoggerFactory inner) : ILoggerFactory
{
    private const string HostCategory = "Microsoft.Extensions.Hosting.Internal.Host";

    public ILogger CreateLogger(string categoryName) =>
        categoryName == HostCategory ? NullLogger.Instance : inner.CreateLogger(categoryName);

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    // The daemon owns the inner factory.
    public void Dispose()
    {
    }
}
