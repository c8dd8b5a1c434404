using System.Net.Sockets;
using Vigil.Balancing;

namespace Vigil.Proxy.Tcp;

/// <summary>
/// Connects a new L4 connection to a backend of the pool: the scheduler's pick first, then the
/// next eligible backend on refusal or timeout, each failure counted and fed to passive health.
/// </summary>
internal static class BackendConnector
{
    /// <summary>Returns the connected socket and its backend, or (null, null) when none could be reached.</summary>
    public static async ValueTask<(Socket? Socket, Backend? Backend)> ConnectAsync(
        Pool pool, PickContext context, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        var backend = pool.Pick(context);
        List<Backend>? tried = null;
        // Bounded: every backend of the pool at most once.
        for (var attempt = 0; backend is not null && attempt < pool.Backends.Count; attempt++)
        {
            var socket = new Socket(backend.EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                using var timeoutSource = new CancellationTokenSource(timeout, time);
                using var link = cancellationToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), timeoutSource);
                await socket.ConnectAsync(backend.EndPoint, timeoutSource.Token).ConfigureAwait(false);
                pool.ReportResult(backend, success: true);
                return (socket, backend);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                socket.Dispose();
                TcpProxyMetrics.CountConnectFailure(pool, backend);
                pool.ReportResult(backend, success: false);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
            (tried ??= []).Add(backend);
            backend = NextUntried(pool, context, backend, tried);
        }
        return (null, null);
    }

    private static Backend? NextUntried(Pool pool, PickContext context, Backend failed, List<Backend> tried)
    {
        var other = pool.PickOther(context, failed);
        if (other is not null && !tried.Contains(other)) return other;
        foreach (var b in pool.Eligible)
            if (!tried.Contains(b)) return b;
        return null;
    }
}
