namespace Vigil.Tests.Hostile;

/// <summary>Request smuggling through Vigil: every case of <see cref="SmugglingCorpus"/> must leave each client with its own response.</summary>
public sealed class SmugglingTests
{
    [Theory]
    [MemberData(nameof(SmugglingCorpus.Names), MemberType = typeof(SmugglingCorpus))]
    public async Task Vigil_hands_every_client_its_own_response(string name)
    {
        var verdict = await Scenario.RunAsync(VigilFront.StartAsync, SmugglingCorpus.Cases[name]);
        Assert.True(verdict.Holds, verdict.Report());
    }
}
