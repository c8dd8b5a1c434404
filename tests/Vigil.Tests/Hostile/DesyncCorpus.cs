namespace Vigil.Tests.Hostile;

/// <summary>
/// Response desync: an origin whose answer to <c>/trigger</c> does not end where its framing says, or
/// comes too early, too often, twice framed, or not at all (RFC 9112 §6.3, §9.3; RFC 9110 §15.2). The
/// trap is a complete <see cref="OriginReply.Stray"/> response left on the connection: a proxy that
/// pools that connection hands it to the next client. It carries a Set-Cookie, as a session would.
/// </summary>
public static class DesyncCorpus
{
    private static readonly TimeSpan Late = TimeSpan.FromMilliseconds(200);
    private static readonly string Stray = OriginReply.Stray();

    public static readonly IReadOnlyDictionary<string, HostileCase> Cases = Build();

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var name in Cases.Keys) data.Add(name);
        return data;
    }

    /// <summary>The cases HAProxy is held to: all but those where Vigil is asked to do more than HAProxy does.</summary>
    public static TheoryData<string> ForHaproxy()
    {
        var data = new TheoryData<string>();
        foreach (var (name, hostile) in Cases)
            if (hostile.HaproxyGap is null) data.Add(name);
        return data;
    }

    private static string Get(string method = "GET", string fields = "") =>
        $"{method} /trigger HTTP/1.1\r\nHost: {HostileCase.Host}\r\nX-Req: trigger\r\n{fields}\r\n";

    private static string Head(string status, string fields = "") => $"HTTP/1.1 {status}\r\nX-Req: trigger\r\n{fields}\r\n";

    private static Dictionary<string, HostileCase> Build()
    {
        var cases = new Dictionary<string, HostileCase>();
        void Add(string name, Func<OriginRequest, OriginReply> reply, string? request = null, bool head = false, string? later = null,
            TimeSpan? timeout = null, string? haproxyGap = null) =>
            cases[name] = new HostileCase
            {
                Name = name,
                Request = request ?? Get(),
                IsHead = head,
                Later = later,
                Script = r => r.Target == "/trigger" ? reply(r) : null,
                OwnTargets = new HashSet<string> { "/trigger" },
                OwnMarkers = new HashSet<string> { "trigger" },
                AttackerTimeout = timeout ?? TimeSpan.FromMilliseconds(1500),
                HaproxyGap = haproxyGap,
            };

        var body = "req=trigger target=/trigger";
        var length = $"Content-Length: {body.Length}\r\n";
        var chunkedBody = $"{body.Length:x}\r\n{body}\r\n0\r\n\r\n";

        // Bytes beyond the framing: at once, and late (after the proxy has pooled the connection).
        Add("extra bytes after a content-length body", r => OriginReply.Send(OriginReply.Answer(r) + Stray));
        Add("late bytes after a content-length body", r => OriginReply.Send(OriginReply.Answer(r)).After(Late, Stray));
        Add("extra bytes after the last chunk", r => OriginReply.Send(Head("200 OK", "Transfer-Encoding: chunked\r\n") + chunkedBody + Stray));
        Add("content-length with a plus sign, then extra bytes", r => OriginReply.Send(Head("200 OK", $"Content-Length: +{body.Length}\r\n") + body + Stray));
        // Responses that never have a body (RFC 9110 §9.3.2, §15.3.5, §15.4.5), given one.
        Add("head answered with a body", r => OriginReply.Send(Head("200 OK", $"Content-Length: {Stray.Length}\r\n") + Stray), Get("HEAD"), head: true);
        Add("head answered with a late body", r => OriginReply.Send(Head("200 OK", $"Content-Length: {Stray.Length}\r\n")).After(Late, Stray), Get("HEAD"), head: true);
        Add("204 with a body", r => OriginReply.Send(Head("204 No Content") + Stray));
        Add("204 with a late body", r => OriginReply.Send(Head("204 No Content")).After(Late, Stray));
        Add("204 with a content-length body", r => OriginReply.Send(Head("204 No Content", $"Content-Length: {Stray.Length}\r\n") + Stray));
        Add("304 with a body", r => OriginReply.Send(Head("304 Not Modified", "ETag: \"v1\"\r\n") + Stray), Get(fields: "If-None-Match: \"v1\"\r\n"));
        Add("304 with a late body", r => OriginReply.Send(Head("304 Not Modified", "ETag: \"v1\"\r\n")).After(Late, Stray), Get(fields: "If-None-Match: \"v1\"\r\n"));
        // Conflicting framing (RFC 9112 §6.3 items 3 and 5): whichever length a proxy picks, it must not reuse the connection.
        Add("content-length and chunked", r => OriginReply.Send(Head("200 OK", length + "Transfer-Encoding: chunked\r\n") + body + Stray));
        Add("chunked and a shorter content-length", r => OriginReply.Send(Head("200 OK", "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n") + chunkedBody + Stray));
        Add("two differing content-lengths", r => OriginReply.Send(Head("200 OK", length + $"Content-Length: {body.Length + Stray.Length}\r\n") + body + Stray));
        Add("content-length list differing", r => OriginReply.Send(Head("200 OK", $"Content-Length: {body.Length}, {body.Length + Stray.Length}\r\n") + body + Stray));
        Add("chunk size overflowing 64 bits", r => OriginReply.Send(Head("200 OK", "Transfer-Encoding: chunked\r\n") + $"1000000000000{body.Length:x4}\r\n{body}\r\n0\r\n\r\n" + Stray));
        Add("transfer-encoding not chunked", r => OriginReply.Send(Head("200 OK", "Transfer-Encoding: gzip\r\n") + body + Stray).ThenClose());
        // 1xx: a flood before the answer, and a 101 nobody asked for (RFC 9110 §15.2.2: only after Upgrade).
        Add("1xx flood", r => OriginReply.Send(string.Concat(Enumerable.Repeat("HTTP/1.1 100 Continue\r\n\r\n", 1000)) + OriginReply.Answer(r)));
        Add("103 flood with fields", r => OriginReply.Send(string.Concat(Enumerable.Repeat("HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n", 300)) + OriginReply.Answer(r)));
        Add("101 nobody asked for", r => OriginReply.Send("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n" + Stray));
        // Early answers (RFC 9112 §9.3): the response comes before the client has sent its body.
        var prefix = SmugglingCorpus.Prefix;
        var post = Get("POST", $"Content-Length: {prefix.Length}\r\n");
        Add("early answer before the body", r => OriginReply.Send(OriginReply.Answer(r), early: true), post, later: prefix);
        Add("early answer, then the origin reads the body as a request", r => OriginReply.Send(OriginReply.Answer(r), early: true).SkippingBody(), post, later: prefix,
            haproxyGap: "HAProxy sends the body after an early 200 and keeps the connection; this origin never read that body, so its bytes poison the next request. Vigil is asked to close instead (issue 9).");
        Add("early answer, then close", r => OriginReply.Send(OriginReply.Answer(r), early: true).ThenClose(), post, later: prefix);
        // Ends that come too soon: a close mid-body or mid-chunk, a close-delimited body, a stall.
        Add("close mid-body", r => OriginReply.Send(Head("200 OK", "Content-Length: 100\r\n") + body).ThenClose());
        Add("close mid-chunk", r => OriginReply.Send(Head("200 OK", "Transfer-Encoding: chunked\r\n") + $"64\r\n{body}").ThenClose());
        Add("close after a chunk, before the last", r => OriginReply.Send(Head("200 OK", "Transfer-Encoding: chunked\r\n") + $"{body.Length:x}\r\n{body}\r\n").ThenClose());
        Add("close-delimited body", r => OriginReply.Send(Head("200 OK") + body).After(Late, "").ThenClose());
        Add("stall mid-body", r => OriginReply.Send(Head("200 OK", "Content-Length: 100\r\n") + body).ThenStall(), timeout: TimeSpan.FromMilliseconds(1500));
        Add("stall before the head", r => new OriginReply().ThenStall(), timeout: TimeSpan.FromMilliseconds(2500));
        return cases;
    }
}
