using System.Text;

namespace Vigil.Tests.Hostile;

/// <summary>
/// What <see cref="HostileOrigin"/> does with one request: a script of writes, pauses, a close or a
/// stall, played as is (so it can be wrong on purpose), optionally before the request body is read.
/// </summary>
public sealed class OriginReply
{
    private readonly List<Step> _steps = [];

    /// <summary>Answer as soon as the head is parsed, before reading the body (an "early" response, RFC 9112 §9.3).</summary>
    public bool Early { get; private init; }
    /// <summary>Do not read the request body: the origin takes its bytes for the next request (a broken server).</summary>
    public bool SkipBody { get; private set; }
    internal IReadOnlyList<Step> Steps => _steps;

    internal sealed record Step(byte[]? Bytes, TimeSpan Delay, bool Close, bool Stall);

    public static OriginReply Send(string latin1, bool early = false) => new OriginReply { Early = early }.Then(latin1);

    public OriginReply Then(string latin1)
    {
        _steps.Add(new(Encoding.Latin1.GetBytes(latin1), TimeSpan.Zero, false, false));
        return this;
    }

    public OriginReply After(TimeSpan delay, string latin1)
    {
        _steps.Add(new(Encoding.Latin1.GetBytes(latin1), delay, false, false));
        return this;
    }

    public OriginReply SkippingBody()
    {
        SkipBody = true;
        return this;
    }

    public OriginReply ThenClose()
    {
        _steps.Add(new(null, TimeSpan.Zero, true, false));
        return this;
    }

    /// <summary>Stop writing and keep the connection open until the origin is disposed.</summary>
    public OriginReply ThenStall()
    {
        _steps.Add(new(null, TimeSpan.Zero, false, true));
        return this;
    }

    /// <summary>The marker body every ordinary answer carries: whose request it answers and for which target.</summary>
    public static string MarkerBody(OriginRequest request) => $"req={request.Marker} target={request.Target}";

    /// <summary>
    /// A well-formed answer carrying the request's marker in <c>X-Req</c> and in the body (no body bytes
    /// for HEAD, RFC 9110 §9.3.2, but the length the GET would have).
    /// </summary>
    public static string Answer(OriginRequest request, string status = "200 OK", string fields = "", string? body = null)
    {
        body ??= MarkerBody(request);
        return $"HTTP/1.1 {status}\r\nContent-Length: {Encoding.Latin1.GetByteCount(body)}\r\nX-Req: {request.Marker}\r\n{fields}\r\n"
            + (request.IsHead ? "" : body);
    }

    /// <summary>A complete response for nobody: what a poisoned connection hands the next client.</summary>
    public static string Stray(string marker = "stray") =>
        $"HTTP/1.1 200 OK\r\nContent-Length: {("req=" + marker).Length}\r\nX-Req: {marker}\r\nSet-Cookie: sid={marker}-SECRET\r\n\r\nreq={marker}";
}
