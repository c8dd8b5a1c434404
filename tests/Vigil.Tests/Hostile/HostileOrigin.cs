using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Vigil.Tests.Hostile;

/// <summary>
/// A scripted origin on a raw loopback socket. It parses what it is sent with
/// <see cref="StrictRequestReader"/> and records every request, per connection and byte-exact, so a
/// test can compare what the origin saw with what the clients sent. It answers with the script's
/// <see cref="OriginReply"/> (hostile on purpose) or, by default, with the request's marker.
/// Malformed or ambiguous input is answered 400 and the connection closed, as a strict server does.
/// </summary>
public sealed class HostileOrigin : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Func<OriginRequest, OriginReply?> _script;
    private readonly string _defaultFields;
    private readonly List<OriginRequest> _requests = [];
    private readonly List<OriginParseError> _errors = [];
    private readonly List<Task> _connections = [];
    private readonly Task _accepting;
    private int _connectionCount;
    private int _playing;

    /// <param name="script">The reply for a request, or null for the default marker answer.</param>
    /// <param name="at">Where to listen (a proxy already configured to find it there), or null for any free loopback port.</param>
    /// <param name="defaultFields">Extra fields on the default answer (e.g. to make it cacheable), each ending in CRLF.</param>
    public HostileOrigin(Func<OriginRequest, OriginReply?>? script = null, IPEndPoint? at = null, string defaultFields = "")
    {
        _script = script ?? (_ => null);
        _defaultFields = defaultFields;
        _listener = new TcpListener(at ?? new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Start();
        _accepting = AcceptLoopAsync();
    }

    /// <summary>The marker on the origin's 400: it refused bytes it could not attribute to any request.</summary>
    public const string RefusalMarker = "origin-400";

    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndpoint;
    public string Address => EndPoint.ToString();
    public int Connections => Volatile.Read(ref _connectionCount);

    public IReadOnlyList<OriginRequest> Requests
    {
        get { lock (_requests) return _requests.ToArray(); }
    }

    public IReadOnlyList<OriginParseError> Errors
    {
        get { lock (_requests) return _errors.ToArray(); }
    }

    /// <summary>Waits (bounded) until no scripted reply is still writing, so late bytes have been sent.</summary>
    public async Task SettledAsync(TimeSpan max)
    {
        var deadline = Environment.TickCount64 + (long)max.TotalMilliseconds;
        while (Volatile.Read(ref _playing) > 0 && Environment.TickCount64 < deadline) await Task.Delay(10);
    }

    /// <summary>Everything the origin saw, connection by connection, for a failure message.</summary>
    public string Log()
    {
        var text = new StringBuilder();
        lock (_requests)
        {
            foreach (var connection in _requests.Select(r => r.Connection).Concat(_errors.Select(e => e.Connection)).Distinct().Order())
            {
                text.Append($"  origin connection #{connection}:\n");
                foreach (var r in _requests.Where(r => r.Connection == connection)) text.Append($"    {r}\n");
                foreach (var e in _errors.Where(e => e.Connection == connection)) text.Append($"    {e}\n");
            }
        }
        return text.ToString();
    }

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptSocketAsync(_stop.Token);
                socket.NoDelay = true;
                var id = Interlocked.Increment(ref _connectionCount);
                lock (_connections) _connections.Add(ServeAsync(socket, id));
            }
        }
        catch (Exception) when (_stop.IsCancellationRequested) { }
        catch (SocketException) { }
    }

    private async Task ServeAsync(Socket socket, int connection)
    {
        using var _ = socket;
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var reader = new StrictRequestReader(stream, _stop.Token);
        var index = 0;
        try
        {
            while (true)
            {
                var head = await reader.ReadHeadAsync();
                if (head is null) return;
                var (method, target, fields, raw) = head.Value;
                var request = new OriginRequest
                {
                    Connection = connection, Index = ++index, Method = method, Target = target, Fields = fields, RawHead = raw,
                };
                lock (_requests) _requests.Add(request);
                var reply = _script(request) ?? OriginReply.Send(OriginReply.Answer(request, fields: _defaultFields));
                if (reply.Early && !await PlayAsync(reply, stream, socket)) return;
                try
                {
                    if (!reply.SkipBody) request.Body = await reader.ReadBodyAsync(fields, request.Anomalies);
                    request.Complete = true;
                }
                catch (TruncatedException)
                {
                    return;
                }
                if (!reply.Early && !await PlayAsync(reply, stream, socket)) return;
            }
        }
        catch (BadRequestException bad)
        {
            lock (_requests) _errors.Add(new OriginParseError(connection, bad.Message, bad.Raw, bad.ProxysFault));
            try
            {
                await stream.WriteAsync(Encoding.Latin1.GetBytes("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nX-Req: " + RefusalMarker + "\r\nConnection: close\r\n\r\n"), _stop.Token);
            }
            catch (Exception) { }
        }
        catch (Exception) { } // the peer left, or the origin stops
    }

    /// <summary>Plays a reply; false when it closed or stalled the connection.</summary>
    private async Task<bool> PlayAsync(OriginReply reply, NetworkStream stream, Socket socket)
    {
        Interlocked.Increment(ref _playing);
        try
        {
            foreach (var step in reply.Steps)
            {
                if (step.Delay > TimeSpan.Zero) await Task.Delay(step.Delay, _stop.Token);
                if (step.Bytes is not null) await stream.WriteAsync(step.Bytes, _stop.Token);
                if (step.Close)
                {
                    socket.Shutdown(SocketShutdown.Both);
                    return false;
                }
                if (step.Stall)
                {
                    Interlocked.Decrement(ref _playing);
                    try
                    {
                        await Task.Delay(Timeout.Infinite, _stop.Token);
                    }
                    finally
                    {
                        Interlocked.Increment(ref _playing);
                    }
                }
            }
            return true;
        }
        finally
        {
            Interlocked.Decrement(ref _playing);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _accepting;
        Task[] connections;
        lock (_connections) connections = _connections.ToArray();
        await Task.WhenAll(connections);
    }
}
