using Vigil.Proxy.Http.Upstream;

namespace Vigil.Tests.Hostile;

/// <summary>
/// Runs a <see cref="CacheCase"/> through Vigil with a cache on the route, each step from a fresh
/// client, and checks that every user gets its own, whole answer: nothing naming another user (or the
/// attacker's "evil" values), no other user's Set-Cookie, nothing incomplete — above all not as a hit.
/// </summary>
public static class CacheScenario
{
    /// <summary>Short collapse wait, so a client behind a stalled fetch goes to the origin itself within the test's patience.</summary>
    public const string CacheConfig = "caches:\n  main: { memory: 16MiB, collapse_timeout: 500ms }\n";

    private static readonly string[] AttackerValues = [CacheCorpus.Evil, "203.0.113.66", "31337"];

    public static async Task<Verdict> RunAsync(CacheCase cache, UpstreamKind? upstream = null)
    {
        await using var origin = new HostileOrigin(cache.NewScript());
        await using var front = await VigilFront.StartAsync(origin, cache: true, CacheConfig, upstream);
        var verdict = new Verdict(front.Name, cache.Name);
        var n = 0;
        foreach (var step in cache.Steps)
        {
            n++;
            await using var client = await RawClient.ConnectAsync(front.EndPoint);
            await client.SendAsync(step.Request);
            var response = await client.ReadResponseAsync(step.IsHead, TimeSpan.FromSeconds(step.Hostile ? 1.5 : 3));
            verdict.Responses.Add(($"step {n} {step.User}{(step.Hostile ? " (attacker)" : "")}", response));
            if (!step.Hostile) verdict.CheckCached(n, step, response, AttackerValues);
        }
        await origin.SettledAsync(TimeSpan.FromSeconds(1));
        verdict.CheckOriginFraming(origin);
        verdict.OriginLog = origin.Log();
        return verdict;
    }
}
