using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http;
using Vigil.Balancing;

namespace Vigil.Proxy.Http.Upstream.Http1;

/// <summary>
/// One request/response exchange on one connection: send the head and body, read the response
/// head (skipping 1xx), copy it to Kestrel's response and stream the body. Each await is tagged
/// with a phase so a failure maps to the outcome HttpProxy acts on.
/// </summary>
internal static class Http1Exchange
{
    private enum Phase : byte
    {
        /// <summary>Writing to the backend; nothing has come back.</summary>
        Sending,
        /// <summary>Reading the client's request body.</summary>
        ReadingClient,
        /// <summary>Waiting for the response head; nothing has come back yet.</summary>
        WaitingHead,
        /// <summary>A response byte has arrived; reading more of it.</summary>
        Receiving,
        /// <summary>Writing the response to the client.</summary>
        WritingClient,
    }

    private static readonly byte[] LastChunk = "0\r\n\r\n"u8.ToArray();

    /// <summary>Interim (1xx) responses skipped before one is taken as a protocol error (a 103 or two is normal).</summary>
    internal const int MaxInterimResponses = 10;

    /// <summary>
    /// Forwards one request on <paramref name="connection"/> (an idle one from the pool, or null to
    /// connect), then keeps or closes the connection. Never throws. One async method on purpose:
    /// every nested async call that suspends costs its own state-machine box per request.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public static async ValueTask<UpstreamResult> RunAsync(HttpContext context, Http1Connection? connection, Http1ConnectionPool connections,
        Backend backend, string host, PoolOptions pool, RequestFraming framing, string rawTarget, bool replayable, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var reused = connection is not null;
            if (connection is null)
            {
                try
                {
                    connection = await Http1Connection.ConnectAsync(backend.EndPoint, pool.ConnectTimeout, context.RequestAborted);
                    connections.CountOpened();
                }
                catch (Exception ex)
                {
                    // Refused, unreachable or timed out: nothing was sent, so HttpProxy may try another backend.
                    return new UpstreamResult(context.RequestAborted.IsCancellationRequested
                        ? UpstreamOutcome.ClientAborted : UpstreamOutcome.FailedBeforeResponse, ex);
                }
            }

            connection.Begin(pool.ResponseTimeout, context.RequestAborted, cancellationToken);
            // A pooled connection has its head read posted already; a fresh one posts it before sending,
            // so an early answer completes it while the body is still going out.
            connection.PostHeadRead();
            UpstreamResult result;
            var keepAlive = false;
            var earlyResponse = false;
            var phase = Phase.Sending;
            bool clean;
            try
            {
                var request = context.Request;
                var write = connection.WriteBuffer;
                var headLength = RequestHead.Write(request, rawTarget, host, framing, write);
                if (headLength == RequestHead.Unsendable)
                { result = new UpstreamResult(UpstreamOutcome.Refused, new InvalidOperationException("a request header holds CR, LF or NUL")); goto done; }
                if (headLength == RequestHead.TooSmall)
                {
                    // Rare: a head beyond 16 KiB (big cookies). Sent alone from a larger rented buffer.
                    if (!await SendLargeHeadAsync(request, rawTarget, host, framing, connection))
                    { result = new UpstreamResult(UpstreamOutcome.Refused, new InvalidOperationException("request head larger than 1 MiB")); goto done; }
                    headLength = 0;
                }

                if (framing == RequestFraming.None) await connection.SendAsync(write.AsMemory(0, headLength));
                else
                {
                    var pending = headLength;
                    var reader = request.BodyReader;
                    while (true)
                    {
                        phase = Phase.ReadingClient;
                        var read = await reader.ReadAsync();
                        var body = read.Buffer;
                        phase = Phase.Sending;
                        foreach (var segment in body)
                            pending = await AppendBodyAsync(connection, pending, segment, framing == RequestFraming.Chunked);
                        reader.AdvanceTo(body.End);
                        if (read.IsCompleted || read.IsCanceled) break;
                        // Send what this read gave before waiting on the client again: the body streams.
                        if (pending > 0) await connection.SendAsync(write.AsMemory(0, pending));
                        pending = 0;
                    }
                    // A response byte before the body was all sent is an early answer (a 401, a 413): the
                    // backend may not read the rest, and would then parse it as a next request. Such a
                    // connection is never reused (RFC 9112 §9.3). The posted head read completes on the
                    // first byte; the ioctl catches a byte the socket engine has not read yet.
                    earlyResponse = connection.HeadReadCompleted || connection.Socket.Available > 0;
                    if (framing == RequestFraming.Chunked)
                    {
                        if (pending + LastChunk.Length > write.Length)
                        {
                            await connection.SendAsync(write.AsMemory(0, pending));
                            pending = 0;
                        }
                        LastChunk.CopyTo(write, pending);
                        pending += LastChunk.Length;
                    }
                    if (pending > 0) await connection.SendAsync(write.AsMemory(0, pending));
                }

                // The response head, after any 1xx interim responses (RFC 9110 §15.2).
                phase = Phase.WaitingHead;
                var buffer = connection.ReadBuffer;
                var filled = 0;
                var isHead = HttpMethods.IsHead(request.Method);
                var interim = 0;
                ResponseHead head;
                while (true)
                {
                    if (filled > 0)
                    {
                        var status = ResponseHead.TryParse(buffer.AsSpan(0, filled), isHead, out head);
                        if (status == ParseStatus.Malformed) { result = Malformed(head.Error ?? "malformed response head"); goto done; }
                        if (status == ParseStatus.Done)
                        {
                            // 101 answers an upgrade this upstream never asks for: the backend is confused.
                            if (head.Status == StatusCodes.Status101SwitchingProtocols) { result = Malformed("unexpected 101 Switching Protocols"); goto done; }
                            if (head.Status >= 200) break;
                            // RFC 9110 §15.2 sets no limit; a backend that keeps sending them holds the exchange forever.
                            if (++interim > MaxInterimResponses) { result = Malformed($"more than {MaxInterimResponses} interim (1xx) responses"); goto done; }
                            filled -= head.Length;
                            buffer.AsSpan(head.Length, filled).CopyTo(buffer);
                            continue;
                        }
                        if (filled == buffer.Length) { result = Malformed($"response head larger than {buffer.Length} bytes"); goto done; }
                    }
                    var n = await (connection.HeadReadPosted
                        ? connection.TakeHeadRead() // filled is 0 here: the posted read fills the buffer from its start
                        : connection.Socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None));
                    connection.Received(n);
                    if (n == 0)
                    {
                        result = connection.BytesReceived == 0
                            ? new UpstreamResult(UpstreamOutcome.FailedBeforeResponse, new IOException("the backend closed the connection without a response"))
                            : Malformed("the backend closed the connection inside the response head");
                        goto done;
                    }
                    filled += n;
                    phase = Phase.Receiving;
                }

                var response = context.Response;
                ResponseHeaders.Copy(buffer, head, response);
                var writer = response.BodyWriter;
                var start = head.Length;
                keepAlive = head.KeepAlive && !earlyResponse;
                switch (head.Framing)
                {
                    case BodyFraming.None:
                        if (filled > start) keepAlive = false; // bytes after a bodiless response: do not trust the stream
                        break;

                    case BodyFraming.ContentLength:
                        {
                            var remaining = head.ContentLength;
                            var available = filled - start;
                            var take = (int)Math.Min(remaining, available);
                            writer.Write(buffer.AsSpan(start, take));
                            remaining -= take;
                            if (available > take) keepAlive = false;
                            while (remaining > 0)
                            {
                                phase = Phase.WritingClient;
                                if (await FlushAsync(writer)) { result = ClientGone(); goto done; }
                                phase = Phase.Receiving;
                                var n = await connection.Socket.ReceiveAsync(buffer.AsMemory(0, (int)Math.Min(remaining, buffer.Length)), SocketFlags.None);
                                connection.Received(n);
                                if (n == 0) { result = Truncated(); goto done; }
                                writer.Write(buffer.AsSpan(0, n));
                                remaining -= n;
                            }
                            break;
                        }

                    case BodyFraming.Chunked:
                        {
                            var decoder = new ChunkedDecoder();
                            var consumed = decoder.Decode(buffer.AsSpan(start, filled - start), writer);
                            if (consumed < 0) { result = Malformed("malformed chunked framing"); goto done; }
                            if (consumed < filled - start) keepAlive = false;
                            while (!decoder.IsDone)
                            {
                                phase = Phase.WritingClient;
                                if (await FlushAsync(writer)) { result = ClientGone(); goto done; }
                                phase = Phase.Receiving;
                                var n = await connection.Socket.ReceiveAsync(buffer, SocketFlags.None);
                                connection.Received(n);
                                if (n == 0) { result = Truncated(); goto done; }
                                consumed = decoder.Decode(buffer.AsSpan(0, n), writer);
                                if (consumed < 0) { result = Malformed("malformed chunked framing"); goto done; }
                                if (consumed < n) keepAlive = false;
                            }
                            break;
                        }

                    case BodyFraming.UntilClose:
                        {
                            writer.Write(buffer.AsSpan(start, filled - start));
                            while (true)
                            {
                                phase = Phase.WritingClient;
                                if (await FlushAsync(writer)) { result = ClientGone(); goto done; }
                                phase = Phase.Receiving;
                                var n = await connection.Socket.ReceiveAsync(buffer, SocketFlags.None);
                                connection.Received(n);
                                if (n == 0) break; // RFC 9112 §6.3 rule 8: the close ends the body
                                writer.Write(buffer.AsSpan(0, n));
                            }
                            break;
                        }
                }
                // A response that fit in the first read is left unflushed: Kestrel sends it with the
                // headers when the request ends, in one write. Once the headers went out, Kestrel no
                // longer flushes at the end (unless it chunks), so the last bytes are flushed here.
                if (response.HasStarted)
                {
                    phase = Phase.WritingClient;
                    if (await FlushAsync(writer)) { result = ClientGone(); goto done; }
                }
                result = UpstreamResult.Forwarded;
            }
            catch (Exception ex)
            {
                result = new UpstreamResult(Classify(phase, connection, context), ex);
            }

        done:
            // Per backend, as HAProxy's bin/bout: every byte of this attempt, heads included.
            backend.Counters.AddBytes(connection.BytesReceived, connection.BytesSent);
            clean = connection.End();
            if (result.Outcome == UpstreamOutcome.Forwarded && keepAlive && clean) connections.Return(connection);
            else connection.Dispose();

            // RFC 9112 §9.3.1: a connection the backend closed while idle shows up as no response at
            // all; an idempotent request without a body is sent again once, on a fresh connection.
            if (result.Outcome == UpstreamOutcome.FailedBeforeResponse && reused && replayable && attempt == 0
                && !context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
            {
                connection = null;
                continue;
            }
            return result;
        }
    }

    private static UpstreamOutcome Classify(Phase phase, Http1Connection connection, HttpContext context)
    {
        if (connection.Aborted == AbortReason.Client || context.RequestAborted.IsCancellationRequested) return UpstreamOutcome.ClientAborted;
        if (connection.Aborted == AbortReason.TimedOut) return UpstreamOutcome.TimedOut;
        return phase switch
        {
            Phase.ReadingClient or Phase.WritingClient => UpstreamOutcome.ClientAborted,
            // A reset before any response byte: nothing came back, so the request may go elsewhere.
            Phase.Sending or Phase.WaitingHead when connection.BytesReceived == 0 => UpstreamOutcome.FailedBeforeResponse,
            _ => UpstreamOutcome.FailedAfterResponse,
        };
    }

    /// <summary>Appends one body segment to the write buffer (chunk-framed if asked), sending when full.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<int> AppendBodyAsync(Http1Connection connection, int pending, ReadOnlyMemory<byte> segment, bool chunked)
    {
        if (segment.IsEmpty) return pending;
        var write = connection.WriteBuffer;
        const int framing = 16 + 2 + 2; // hex size, CRLF, trailing CRLF
        var needed = segment.Length + (chunked ? framing : 0);
        if (pending + needed > write.Length && pending > 0)
        {
            await connection.SendAsync(write.AsMemory(0, pending));
            pending = 0;
        }
        if (chunked)
        {
            // RFC 9112 §7.1: chunk-size in hex, CRLF, data, CRLF.
            segment.Length.TryFormat(write.AsSpan(pending), out var digits, "X");
            pending += digits;
            write[pending++] = (byte)'\r';
            write[pending++] = (byte)'\n';
        }
        if (pending + segment.Length + 2 <= write.Length)
        {
            segment.Span.CopyTo(write.AsSpan(pending));
            pending += segment.Length;
        }
        else
        {
            // Larger than the buffer: send what is pending, then the segment itself, without copying.
            await connection.SendAsync(write.AsMemory(0, pending));
            await connection.SendAsync(segment);
            pending = 0;
        }
        if (chunked)
        {
            write[pending++] = (byte)'\r';
            write[pending++] = (byte)'\n';
        }
        return pending;
    }

    private static async ValueTask<bool> SendLargeHeadAsync(HttpRequest request, string rawTarget, string host, RequestFraming framing, Http1Connection connection)
    {
        for (var size = Http1Connection.WriteBufferSize * 4; size <= 1024 * 1024; size *= 4)
        {
            var rented = ArrayPool<byte>.Shared.Rent(size);
            try
            {
                var length = RequestHead.Write(request, rawTarget, host, framing, rented);
                if (length >= 0)
                {
                    await connection.SendAsync(rented.AsMemory(0, length));
                    return true;
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
        return false;
    }

    /// <summary>Flushes to the client; true when the client is gone.</summary>
    private static async ValueTask<bool> FlushAsync(PipeWriter writer)
    {
        var result = await writer.FlushAsync();
        return result.IsCanceled || result.IsCompleted;
    }

    private static UpstreamResult Malformed(string reason) => new(UpstreamOutcome.FailedAfterResponse, new UpstreamProtocolException(reason));
    private static UpstreamResult Truncated() => new(UpstreamOutcome.FailedAfterResponse, new IOException("the backend closed the connection inside the response body"));
    private static UpstreamResult ClientGone() => new(UpstreamOutcome.ClientAborted);
}
