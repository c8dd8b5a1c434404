namespace Vigil.Tests.Hostile;

/// <summary>
/// Request smuggling attempts (the PortSwigger/RFC 9112 §11.2 families): CL.TE, TE.CL, TE.TE
/// obfuscations, bad Content-Length, chunk tricks, bare LF/CR, obs-fold. Every body ends with (or hides)
/// <see cref="Prefix"/>, the start of a request that is never finished: a proxy that reads the message
/// as the RFC says never forwards it, while one that disagrees with the origin on where the message
/// ends leaves it on the upstream connection, where the next client's request completes it.
/// Each case also comes with <c>Connection</c> nominating every field that must never be removed.
/// </summary>
public static class SmugglingCorpus
{
    /// <summary>An unfinished request head: the next request on the connection becomes its X-Ignore value.</summary>
    public const string Prefix = $"GET /smuggled HTTP/1.1\r\nHost: {HostileCase.Host}\r\nX-Req: smuggled\r\nX-Ignore: ";

    /// <summary>The fields RFC 9110 §7.6.1 lets Connection remove only if they are hop-by-hop: none of these are.</summary>
    public static readonly string[] Nominees = ["content-length", "transfer-encoding", "host", "x-forwarded-for", "x-forwarded-host"];

    private const string Chunked = "Transfer-Encoding: chunked\r\n";
    private static readonly string Terminated = "0\r\n\r\n" + Prefix;
    /// <summary>A whole request hidden in chunk data (for TE.CL): complete head, and a body that eats the next client's bytes.</summary>
    private const string Hidden = $"GET /smuggled HTTP/1.1\r\nHost: {HostileCase.Host}\r\nX-Req: smuggled\r\nContent-Length: 40\r\n\r\n";

    private static string Len(string body) => $"Content-Length: {body.Length}\r\n";

    /// <summary>Base cases: name → (request line, framing fields, body).</summary>
    private static readonly (string Name, string Line, string Fields, string Body)[] Base =
    [
        ("cl body holding a request", "POST /attack HTTP/1.1", Len(Prefix), Prefix),
        ("get with a cl body", "GET /attack HTTP/1.1", Len(Prefix), Prefix),
        ("cl.te", "POST /attack HTTP/1.1", Len(Terminated) + Chunked, Terminated),
        ("te.cl", "POST /attack HTTP/1.1", "Content-Length: 4\r\n" + Chunked, $"{Hidden.Length:x}\r\n{Hidden}\r\n0\r\n\r\n"),
        ("te only", "POST /attack HTTP/1.1", Chunked, Terminated),
        ("get with te", "GET /attack HTTP/1.1", Chunked, Terminated),
        ("te on http/1.0", "POST /attack HTTP/1.0", Len(Terminated) + Chunked, Terminated),
        // TE.TE: the same CL.TE body behind a Transfer-Encoding one parser may not recognise.
        ("te xchunked", "POST /attack HTTP/1.1", Len(Terminated) + "Transfer-Encoding: xchunked\r\n", Terminated),
        ("te chunked, identity", "POST /attack HTTP/1.1", Len(Terminated) + "Transfer-Encoding: chunked, identity\r\n", Terminated),
        ("te identity, chunked", "POST /attack HTTP/1.1", Len(Terminated) + "Transfer-Encoding: identity, chunked\r\n", Terminated),
        ("te chunked, chunked", "POST /attack HTTP/1.1", Len(Terminated) + "Transfer-Encoding: chunked, chunked\r\n", Terminated),
        ("te space before colon", "POST /attack HTTP/1.1", Len(Terminated) + "Transfer-Encoding : chunked\r\n", Terminated),
        ("te tab before colon", "POST /attack HTTP/1.1", Len(Terminated) + "Transfer-Encoding\t: chunked\r\n", Terminated),
        ("te tab as whitespace", "POST /attack HTTP/1.1", Len(Terminated) + "Transfer-Encoding:\tchunked\r\n", Terminated),
        ("te vertical tab", "POST /attack HTTP/1.1", Len(Terminated) + "Transfer-Encoding:\vchunked\r\n", Terminated),
        ("te upper case", "POST /attack HTTP/1.1", Len(Terminated) + "Transfer-Encoding: CHUNKED\r\n", Terminated),
        ("te quoted", "POST /attack HTTP/1.1", Len(Terminated) + "Transfer-Encoding: \"chunked\"\r\n", Terminated),
        ("te twice", "POST /attack HTTP/1.1", Len(Terminated) + Chunked + Chunked, Terminated),
        ("te chunked in a second line", "POST /attack HTTP/1.1", Len(Terminated) + "Transfer-Encoding: identity\r\n" + Chunked, Terminated),
        ("te then a bogus te", "POST /attack HTTP/1.1", Len(Terminated) + Chunked + "Transfer-Encoding: x\r\n", Terminated),
        ("te obs-fold value", "POST /attack HTTP/1.1", Len(Terminated) + "Transfer-Encoding:\r\n chunked\r\n", Terminated),
        ("te hidden by obs-fold", "POST /attack HTTP/1.1", Len(Terminated) + "X-Fold: a\r\n Transfer-Encoding: chunked\r\n", Terminated),
        ("te after a bare lf", "POST /attack HTTP/1.1", Len(Terminated) + "X-A: b\nTransfer-Encoding: chunked\r\n", Terminated),
        ("te after a bare cr", "POST /attack HTTP/1.1", Len(Terminated) + "X-A: b\rTransfer-Encoding: chunked\r\n", Terminated),
        // Content-Length that is not 1*DIGIT (RFC 9110 §8.6), repeated, or differing.
        ("cl plus sign", "POST /attack HTTP/1.1", $"Content-Length: +{Prefix.Length}\r\n", Prefix),
        ("cl padded with spaces", "POST /attack HTTP/1.1", $"Content-Length:   {Prefix.Length}   \r\n", Prefix),
        ("cl leading zeros", "POST /attack HTTP/1.1", $"Content-Length: 000{Prefix.Length}\r\n", Prefix),
        ("cl list of equal values", "POST /attack HTTP/1.1", $"Content-Length: {Prefix.Length}, {Prefix.Length}\r\n", Prefix),
        ("cl twice equal", "POST /attack HTTP/1.1", Len(Prefix) + Len(Prefix), Prefix),
        ("cl twice differing", "POST /attack HTTP/1.1", "Content-Length: 0\r\n" + Len(Prefix), Prefix),
        ("cl list differing", "POST /attack HTTP/1.1", $"Content-Length: 0, {Prefix.Length}\r\n", Prefix),
        ("cl hex", "POST /attack HTTP/1.1", $"Content-Length: 0x{Prefix.Length:x}\r\n", Prefix),
        ("cl negative", "POST /attack HTTP/1.1", "Content-Length: -1\r\n", Prefix),
        ("cl overflowing", "POST /attack HTTP/1.1", "Content-Length: 18446744073709551616\r\n", Prefix),
        ("cl space inside", "POST /attack HTTP/1.1", $"Content-Length: 1 {Prefix.Length}\r\n", Prefix),
        // Chunk-level tricks (RFC 9112 §7.1): where the chunked body ends must not be in doubt.
        ("chunk extension", "POST /attack HTTP/1.1", Chunked, "4;name=value\r\nabcd\r\n" + Terminated),
        ("chunk extension quoted", "POST /attack HTTP/1.1", Chunked, "4;name=\"a;b\"\r\nabcd\r\n" + Terminated),
        ("chunk extension with bare lf", "POST /attack HTTP/1.1", Chunked, "4;x\nabcd\r\n" + Terminated),
        ("chunk size bare lf", "POST /attack HTTP/1.1", Chunked, "4\nabcd\r\n" + Terminated),
        ("chunk data bare lf", "POST /attack HTTP/1.1", Chunked, "4\r\nabcd\n" + Terminated),
        ("last chunk bare lf", "POST /attack HTTP/1.1", Chunked, "4\r\nabcd\r\n0\n\n" + Prefix),
        ("chunk data longer than its size", "POST /attack HTTP/1.1", Chunked, "2\r\nabcd\r\n" + Terminated),
        ("chunk size 64-bit overflow", "POST /attack HTTP/1.1", Chunked, "10000000000000004\r\nabcd\r\n" + Terminated),
        ("chunk size of 4 GiB", "POST /attack HTTP/1.1", Chunked, "ffffffff\r\nabcd\r\n" + Terminated),
        ("chunk size 0x prefix", "POST /attack HTTP/1.1", Chunked, "0x4\r\nabcd\r\n" + Terminated),
        ("chunk size leading space", "POST /attack HTTP/1.1", Chunked, " 4\r\nabcd\r\n" + Terminated),
        ("chunk trailer content-length", "POST /attack HTTP/1.1", Chunked, "4\r\nabcd\r\n0\r\nContent-Length: 50\r\n\r\n" + Prefix),
        // Head-level oddities.
        ("bare lf head", "POST /attack HTTP/1.1", Len(Prefix).Replace("\r\n", "\n"), Prefix),
        ("host twice", "POST /attack HTTP/1.1", "Host: evil.example\r\n" + Len(Prefix), Prefix),
        ("expect 100-continue", "POST /attack HTTP/1.1", "Expect: 100-continue\r\n" + Len(Prefix), Prefix),
    ];

    /// <summary>Every base case plain, and with Connection nominating all of <see cref="Nominees"/>; plus the baseline with each nominee alone.</summary>
    public static readonly IReadOnlyDictionary<string, HostileCase> Cases = Build();

    /// <summary>The base cases as they are.</summary>
    public static TheoryData<string> Plain() => Select(name => !name.Contains(" + Connection: ", StringComparison.Ordinal));

    /// <summary>The cases with a Connection field nominating what must never be removed.</summary>
    public static TheoryData<string> Nominating() => Select(name => name.Contains(" + Connection: ", StringComparison.Ordinal));

    private static TheoryData<string> Select(Func<string, bool> which)
    {
        var data = new TheoryData<string>();
        foreach (var name in Cases.Keys.Where(which)) data.Add(name);
        return data;
    }

    private static Dictionary<string, HostileCase> Build()
    {
        var cases = new Dictionary<string, HostileCase>();
        void Add(string name, string line, string fields, string body, string? connection)
        {
            var separator = fields.Contains('\n') && !fields.Contains("\r\n") ? "\n" : "\r\n";
            var nominate = connection is null ? "" : $"Connection: {connection}{separator}";
            var key = connection is null ? name : $"{name} + Connection: {connection}";
            cases[key] = new HostileCase
            {
                Name = key,
                Request = $"{line}{separator}Host: {HostileCase.Host}{separator}X-Req: attacker{separator}"
                    + $"X-Forwarded-For: 203.0.113.66{separator}X-Forwarded-Host: evil.example{separator}{nominate}{fields}{separator}{body}",
            };
        }
        foreach (var (name, line, fields, body) in Base)
        {
            Add(name, line, fields, body, null);
            Add(name, line, fields, body, string.Join(", ", Nominees));
        }
        foreach (var nominee in Nominees)
        {
            Add("cl body holding a request", Base[0].Line, Base[0].Fields, Base[0].Body, nominee);
            Add("cl.te", Base[2].Line, Base[2].Fields, Base[2].Body, nominee);
        }
        return cases;
    }
}
