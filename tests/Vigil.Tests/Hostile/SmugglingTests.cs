namespace Vigil.Tests.Hostile;

/// <summary>Request smuggling through Vigil: every case of <see cref="SmugglingCorpus"/> must leave each client with its own response.</summary>
public sealed class SmugglingTests
{
    [Theory]
    [MemberData(nameof(SmugglingCorpus.Plain), MemberType = typeof(SmugglingCorpus))]
    public async Task Vigil_hands_every_client_its_own_response(string name)
    {
        var verdict = await Scenario.RunAsync(VigilFront.StartAsync, SmugglingCorpus.Cases[name]);
        Assert.True(verdict.Holds, verdict.Report());
    }
}

/// <summary>The same, with Connection nominating Content-Length, Transfer-Encoding, Host and the X-Forwarded fields (a class of its own so it runs beside the first).</summary>
public sealed class SmugglingWithConnectionTests
{
    [Theory]
    [MemberData(nameof(SmugglingCorpus.Nominating), MemberType = typeof(SmugglingCorpus))]
    public async Task Vigil_hands_every_client_its_own_response(string name)
    {
        var verdict = await Scenario.RunAsync(VigilFront.StartAsync, SmugglingCorpus.Cases[name]);
        Assert.True(verdict.Holds, verdict.Report());
    }
}
