namespace Vigil.Tests.Hostile;

/// <summary>Response desync through Vigil: whatever the origin does on one connection, no other client gets it.</summary>
public sealed class DesyncTests
{
    [Theory]
    [MemberData(nameof(DesyncCorpus.Names), MemberType = typeof(DesyncCorpus))]
    public async Task Vigil_hands_every_client_its_own_response(string name)
    {
        var verdict = await Scenario.RunAsync(VigilFront.StartAsync, DesyncCorpus.Cases[name]);
        Assert.True(verdict.Holds, verdict.Report());
    }
}
