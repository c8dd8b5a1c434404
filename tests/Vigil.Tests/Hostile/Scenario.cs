using System.Net;

namespace Vigil.Tests.Hostile;

/// <summary>
/// Runs a <see cref="HostileCase"/> through a front door and checks the invariant every hostile-peer
/// test asserts: the origin parsed exactly the requests the clients sent (count and targets, nothing
/// smuggled, nothing ambiguous forwarded), and every innocent client that follows — on the same
/// upstream pool — gets exactly its own response. The first client may get an error or its own answer,
/// nothing else; nobody gets another user's Set-Cookie.
/// </summary>
public static class Scenario
{
    public const int Innocents = 3;

    public static string InnocentRequest(int i) =>
        $"GET /innocent/{i} HTTP/1.1\r\nHost: {HostileCase.Host}\r\nX-Req: innocent-{i}\r\n\r\n";

    /// <param name="originAt">Where the origin must listen (the front already points there), or null for anywhere.</param>
    /// <param name="cached">
    /// The front caches: ordinary answers are made cacheable, and each innocent asks again afterwards, so
    /// that a stray response stored under its URL (then served as a hit) is caught too.
    /// </param>
    public static async Task<Verdict> RunAsync(FrontFactory start, HostileCase hostile, IPEndPoint? originAt = null, bool cached = false)
    {
        await using var origin = new HostileOrigin(hostile.Script, originAt, cached ? "Cache-Control: public, max-age=60\r\n" : "");
        await using var front = await start(origin);
        var verdict = new Verdict(front.Name, hostile.Name);

        RawResponse? first;
        await using (var attacker = await RawClient.ConnectAsync(front.EndPoint))
        {
            await attacker.SendAsync(hostile.Request);
            first = await attacker.ReadResponseAsync(hostile.IsHead, hostile.AttackerTimeout);
            if (hostile.Later is not null)
            {
                await attacker.SendAsync(hostile.Later);
                // Whatever else comes on this connection is the first client's too; give it a moment.
                var more = await attacker.ReadResponseAsync(false, TimeSpan.FromMilliseconds(300));
                if (more is not null) verdict.CheckFirstClient(more, hostile, "second response");
            }
        }
        verdict.Responses.Add(("first client", first));
        if (first is not null) verdict.CheckFirstClient(first, hostile, "response");
        // Late bytes from the origin land on the idle pooled connection before the innocents come.
        await origin.SettledAsync(TimeSpan.FromSeconds(3));

        for (var i = 1; i <= Innocents; i++)
        {
            await using var client = await RawClient.ConnectAsync(front.EndPoint);
            await client.SendAsync(InnocentRequest(i));
            var response = await client.ReadResponseAsync(timeout: TimeSpan.FromSeconds(3));
            verdict.Responses.Add(($"innocent-{i}", response));
            verdict.CheckInnocent(i, response);
        }
        for (var i = 1; cached && i <= Innocents; i++)
        {
            await using var client = await RawClient.ConnectAsync(front.EndPoint);
            await client.SendAsync(InnocentRequest(i));
            var response = await client.ReadResponseAsync(timeout: TimeSpan.FromSeconds(3));
            verdict.Responses.Add(($"innocent-{i} again", response));
            verdict.CheckInnocent(i, response);
        }
        verdict.CheckOrigin(origin, hostile, front, cached ? 2 : 1);
        verdict.OriginLog = origin.Log();
        return verdict;
    }
}
