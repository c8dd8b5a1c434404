using System.Buffers;
using System.Net.Sockets;

namespace Vigil.Proxy.Tcp;

/// <summary>
/// Copies one direction of a connection through one pooled buffer until the sender's FIN, then
/// half-closes the receiver (RFC 9293 §3.6: a FIN closes one direction only, the other stays open).
/// </summary>
internal static class BufferedPump
{
    /// <summary>
    /// Copies until FIN (returns false), or, when <paramref name="untilBulk"/> is set, until a read
    /// fills the whole buffer (returns true: the caller switches this direction to splice).
    /// </summary>
    public static async Task<bool> RunAsync(Socket from, Socket to, TcpProxyConnection connection, TcpFlow flow, int bufferSize, bool untilBulk, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(bufferSize);
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer.AsMemory(), SocketFlags.None, cancellationToken).ConfigureAwait(false);
                if (read == 0) break;
                connection.Touch();
                var pending = buffer.AsMemory(0, read);
                while (!pending.IsEmpty)
                {
                    var sent = await to.SendAsync(pending, SocketFlags.None, cancellationToken).ConfigureAwait(false);
                    pending = pending[sent..];
                }
                connection.AddBytes(flow, read);
                if (untilBulk && read == buffer.Length) return true;
            }
            to.Shutdown(SocketShutdown.Send);
            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
