namespace Vigil.Tests.Hostile;

/// <summary>
/// Desync and Connection-nomination smuggling on a route with a cache: ordinary answers are cacheable,
/// so a poisoned connection would not only hand the next client a stray response but store it under that
/// client's URL and serve it again as a hit. Each innocent asks twice; both answers must be its own.
/// </summary>
public sealed class CachedRouteTests
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var name in DesyncCorpus.Cases.Keys) data.Add("desync", name);
        foreach (var name in SmugglingCorpus.Cases.Keys.Where(n => n.StartsWith("cl body holding a request", StringComparison.Ordinal)))
            data.Add("smuggling", name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Vigil_stores_and_serves_every_client_only_its_own_response(string corpus, string name)
    {
        var hostile = corpus == "desync" ? DesyncCorpus.Cases[name] : SmugglingCorpus.Cases[name];
        var verdict = await Scenario.RunAsync(o => VigilFront.StartAsync(o, cache: true, CacheScenario.CacheConfig), hostile, cached: true);
        Assert.True(verdict.Holds, verdict.Report());
    }
}
