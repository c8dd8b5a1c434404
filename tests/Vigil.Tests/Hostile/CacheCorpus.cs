namespace Vigil.Tests.Hostile;

/// <summary>One client's request in a <see cref="CacheCase"/>.</summary>
/// <param name="User">Who sends it; a user's name appears only in content meant for that user.</param>
/// <param name="Hostile">The attacker's own step: what it gets is not checked.</param>
/// <param name="Expected">The exact body this user must get, or null for any (still its own).</param>
public sealed record CacheStep(string User, string Request, bool Hostile = false, bool IsHead = false, string? Expected = null);

/// <summary>A cache poisoning or leak attempt: the origin's behaviour and the clients that follow one another.</summary>
public sealed class CacheCase
{
    public required string Name { get; init; }
    /// <summary>A fresh origin script per run (scripts may count requests).</summary>
    public required Func<Func<OriginRequest, OriginReply?>> NewScript { get; init; }
    public required IReadOnlyList<CacheStep> Steps { get; init; }
    public override string ToString() => Name;
}

/// <summary>
/// Cache poisoning and cross-user leaks on a cached route (RFC 9111): fields the key ignores, Set-Cookie
/// through 304 and HEAD freshening (§4.3.4, §4.3.5), Vary (§4.1), Authorization (§3.5), private
/// (§5.2.2.7), and bodies that end early (§3.3: an incomplete response is not a complete one).
/// </summary>
public static class CacheCorpus
{
    /// <summary>Every name that marks content as someone's: a user must never see another's.</summary>
    public static readonly string[] Users = ["userA", "userB", "userC", "userS"];
    public const string Evil = "evil";
    public const string Full = "the whole page, every byte of it, as the origin meant it";

    public static readonly IReadOnlyDictionary<string, CacheCase> Cases = Build();

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var name in Cases.Keys) data.Add(name);
        return data;
    }

    public static string Get(string user, string target = "/page", string fields = "", string method = "GET") =>
        $"{method} {target} HTTP/1.1\r\nHost: {HostileCase.Host}\r\nX-Req: {user}\r\n{fields}\r\n";

    /// <summary>A response with a Content-Length (no body bytes for HEAD) and no marker: cached content is not one user's.</summary>
    public static string Response(OriginRequest request, string fields, string body, string status = "200 OK") =>
        $"HTTP/1.1 {status}\r\nContent-Length: {body.Length}\r\n{fields}\r\n" + (request.IsHead ? "" : body);

    private const string Public = "Cache-Control: public, max-age=60\r\n";

    private static Dictionary<string, CacheCase> Build()
    {
        var cases = new Dictionary<string, CacheCase>();
        void Add(string name, Func<OriginRequest, OriginReply?> script, params CacheStep[] steps) =>
            cases[name] = new CacheCase { Name = name, NewScript = () => script, Steps = steps };
        void AddCounting(string name, Func<int, OriginRequest, OriginReply?> script, params CacheStep[] steps) =>
            cases[name] = new CacheCase
            {
                Name = name,
                NewScript = () =>
                {
                    var count = 0;
                    return r => script(Interlocked.Increment(ref count), r);
                },
                Steps = steps,
            };

        // Fields the proxy itself owns: an origin trusts them and reflects them; the key ignores them.
        foreach (var (field, value) in new[]
                 {
                     ("X-Forwarded-Host", "evil.example"), ("X-Forwarded-Proto", "evil"), ("X-Forwarded-Port", "31337"),
                     ("X-Forwarded-Prefix", "/evil"), ("Forwarded", "for=203.0.113.66;host=evil.example;proto=https"),
                     ("X-Real-IP", "203.0.113.66"), ("X-Forwarded-For", "203.0.113.66"),
                 })
        {
            var f = field;
            Add($"unkeyed {field} reflected",
                r => OriginReply.Send(Response(r, Public, $"link={string.Join(",", r.Values(f))}")),
                new CacheStep("userA", Get("userA", fields: $"{field}: {value}\r\n"), Hostile: true),
                new CacheStep("userB", Get("userB")),
                new CacheStep("userC", Get("userC")));
        }
        // Fields an application may act on: the origin says so with Vary, and the cache must key on it.
        foreach (var field in new[] { "X-Host", "X-Original-URL" })
        {
            var f = field;
            Add($"{field} reflected with Vary",
                r => OriginReply.Send(Response(r, Public + $"Vary: {f}\r\n", $"content of {r.Value(f) ?? r.Target}")),
                new CacheStep("userA", Get("userA", fields: $"{field}: /evil\r\n"), Hostile: true),
                new CacheStep("userB", Get("userB"), Expected: "content of /page"),
                new CacheStep("userC", Get("userC"), Expected: "content of /page"));
        }
        Add("Vary: Accept-Language",
            r => OriginReply.Send(Response(r, Public + "Vary: Accept-Language\r\n", $"lang={r.Value("Accept-Language") ?? "none"}")),
            new CacheStep("userA", Get("userA", fields: "Accept-Language: fr\r\n"), Expected: "lang=fr"),
            new CacheStep("userB", Get("userB", fields: "Accept-Language: de\r\n"), Expected: "lang=de"),
            new CacheStep("userC", Get("userC"), Expected: "lang=none"),
            new CacheStep("userB", Get("userB", fields: "Accept-Language: de\r\n"), Expected: "lang=de"),
            new CacheStep("userA", Get("userA", fields: "Accept-Language: fr\r\n"), Expected: "lang=fr"));
        Add("Vary: *",
            r => OriginReply.Send(Response(r, Public + "Vary: *\r\n", $"for {r.Marker}")),
            new CacheStep("userA", Get("userA"), Expected: "for userA"),
            new CacheStep("userB", Get("userB"), Expected: "for userB"));
        // Personal answers (RFC 9111 §3.5, §5.2.2.7): never served to anyone else.
        Add("Authorization",
            r => OriginReply.Send(Response(r, "Cache-Control: max-age=60\r\n",
                r.Value("Authorization") is { } auth ? $"secret of {auth["Bearer ".Length..]}" : "anonymous")),
            new CacheStep("userA", Get("userA", fields: "Authorization: Bearer userA\r\n"), Expected: "secret of userA"),
            new CacheStep("userB", Get("userB"), Expected: "anonymous"),
            new CacheStep("userC", Get("userC"), Expected: "anonymous"));
        Add("Cache-Control: private",
            r => OriginReply.Send(Response(r, "Cache-Control: private, max-age=60\r\n", $"private to {r.Marker}")),
            new CacheStep("userA", Get("userA"), Expected: "private to userA"),
            new CacheStep("userB", Get("userB"), Expected: "private to userB"));
        Add("Set-Cookie on a cacheable 200",
            r => OriginReply.Send(Response(r, Public + $"Set-Cookie: sid={r.Marker}-SECRET\r\n", "welcome")),
            new CacheStep("userA", Get("userA"), Expected: "welcome"),
            new CacheStep("userB", Get("userB"), Expected: "welcome"),
            new CacheStep("userC", Get("userC"), Expected: "welcome"));
        // Freshening a stored response (RFC 9111 §4.3.4, §4.3.5) must not copy one user's Set-Cookie into it:
        // the first answer is stale at once; every later one (304 to a conditional GET, or 200 to HEAD or GET)
        // makes it fresh for a minute and sets the asker's session cookie.
        static OriginReply? Refresh(int n, OriginRequest r) => n == 1
            ? OriginReply.Send(Response(r, "Cache-Control: max-age=0\r\nETag: \"v1\"\r\n", "account page"))
            : r.Value("If-None-Match") is not null
                ? OriginReply.Send($"HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\nCache-Control: max-age=60\r\nSet-Cookie: sid={r.Marker}-SECRET\r\n\r\n")
                : OriginReply.Send(Response(r, $"Cache-Control: max-age=60\r\nETag: \"v1\"\r\nSet-Cookie: sid={r.Marker}-SECRET\r\n", "account page"));
        AddCounting("Set-Cookie via 304", Refresh,
            new CacheStep("userS", Get("userS", "/account"), Expected: "account page"),
            new CacheStep("userA", Get("userA", "/account"), Expected: "account page"),
            new CacheStep("userB", Get("userB", "/account"), Expected: "account page"),
            new CacheStep("userC", Get("userC", "/account"), Expected: "account page"));
        AddCounting("Set-Cookie via a HEAD refresh", Refresh,
            new CacheStep("userS", Get("userS", "/account"), Expected: "account page"),
            new CacheStep("userA", Get("userA", "/account", method: "HEAD"), IsHead: true),
            new CacheStep("userB", Get("userB", "/account"), Expected: "account page"),
            new CacheStep("userC", Get("userC", "/account"), Expected: "account page"));
        AddCounting("private fields via 304",
            (n, r) => n == 1
                ? OriginReply.Send(Response(r, "Cache-Control: max-age=0\r\nETag: \"v1\"\r\n", "account page"))
                : OriginReply.Send($"HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\nCache-Control: private, max-age=60\r\nX-Account: {r.Marker}\r\n\r\n"),
            new CacheStep("userS", Get("userS", "/account"), Expected: "account page"),
            new CacheStep("userA", Get("userA", "/account")),
            new CacheStep("userB", Get("userB", "/account"), Expected: "account page"));
        // Truncated bodies (RFC 9111 §3.3): the first fetch ends early; what follows must be whole.
        var truncations = new (string Name, Func<OriginRequest, OriginReply> Reply)[]
        {
            ("close mid content-length body", r => OriginReply.Send($"HTTP/1.1 200 OK\r\n{Public}Content-Length: {Full.Length}\r\n\r\n{Full[..10]}").ThenClose()),
            ("close after a chunk, before the last", r => OriginReply.Send($"HTTP/1.1 200 OK\r\n{Public}Transfer-Encoding: chunked\r\n\r\na\r\n{Full[..10]}\r\n").ThenClose()),
            ("close mid-chunk", r => OriginReply.Send($"HTTP/1.1 200 OK\r\n{Public}Transfer-Encoding: chunked\r\n\r\n{Full.Length:x}\r\n{Full[..10]}").ThenClose()),
            ("stall mid-body past the response timeout", r => OriginReply.Send($"HTTP/1.1 200 OK\r\n{Public}Content-Length: {Full.Length}\r\n\r\n{Full[..10]}").ThenStall()),
        };
        foreach (var (name, reply) in truncations)
        {
            AddCounting($"truncated: {name}",
                (n, r) => n == 1 ? reply(r) : OriginReply.Send(Response(r, Public, Full)),
                new CacheStep("userA", Get("userA", "/big"), Hostile: true),
                new CacheStep("userB", Get("userB", "/big"), Expected: Full),
                new CacheStep("userC", Get("userC", "/big"), Expected: Full));
        }
        return cases;
    }
}
