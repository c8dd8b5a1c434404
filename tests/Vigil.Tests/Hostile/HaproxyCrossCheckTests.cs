namespace Vigil.Tests.Hostile;

/// <summary>
/// The same corpora through Debian's HAProxy with pooled server connections (<c>http-reuse always</c>):
/// the invariant holds there, so a case that fails through Vigil is Vigil's defect, not the suite's.
/// </summary>
public sealed class HaproxyCrossCheckTests
{
    [HaproxyTheory]
    [MemberData(nameof(SmugglingCorpus.Names), MemberType = typeof(SmugglingCorpus))]
    public async Task Haproxy_hands_every_client_its_own_response_when_smuggling(string name)
    {
        var verdict = await Scenario.RunAsync(HaproxyFront.StartAsync, SmugglingCorpus.Cases[name]);
        Assert.True(verdict.Holds, verdict.Report());
    }

    [HaproxyTheory]
    [MemberData(nameof(DesyncCorpus.Names), MemberType = typeof(DesyncCorpus))]
    public async Task Haproxy_hands_every_client_its_own_response_when_the_origin_desyncs(string name)
    {
        var verdict = await Scenario.RunAsync(HaproxyFront.StartAsync, DesyncCorpus.Cases[name]);
        Assert.True(verdict.Holds, verdict.Report());
    }
}
