namespace Vigil.Tests.Hostile;

/// <summary>
/// The smuggling corpus through Debian's HAProxy with pooled server connections (<c>http-reuse always</c>):
/// the invariant holds there, so a case that fails through Vigil is Vigil's defect, not the suite's.
/// Three classes, so that they run beside one another, each with its own HAProxy.
/// </summary>
public sealed class HaproxySmugglingTests(SmugglingFleet haproxy) : IClassFixture<SmugglingFleet>
{
    [HaproxyTheory]
    [MemberData(nameof(SmugglingCorpus.Plain), MemberType = typeof(SmugglingCorpus))]
    public async Task Haproxy_hands_every_client_its_own_response(string name)
    {
        var (front, origin) = haproxy.Slot();
        var verdict = await Scenario.RunAsync(_ => Task.FromResult(front), SmugglingCorpus.Cases[name], origin);
        Assert.True(verdict.Holds, verdict.Report());
    }
}

/// <summary>The smuggling corpus with Connection nominations, through HAProxy.</summary>
public sealed class HaproxySmugglingWithConnectionTests(SmugglingFleet haproxy) : IClassFixture<SmugglingFleet>
{
    [HaproxyTheory]
    [MemberData(nameof(SmugglingCorpus.Nominating), MemberType = typeof(SmugglingCorpus))]
    public async Task Haproxy_hands_every_client_its_own_response(string name)
    {
        var (front, origin) = haproxy.Slot();
        var verdict = await Scenario.RunAsync(_ => Task.FromResult(front), SmugglingCorpus.Cases[name], origin);
        Assert.True(verdict.Holds, verdict.Report());
    }
}

/// <summary>The response desync corpus through HAProxy (all but the cases where Vigil is asked to be stricter, see <see cref="HostileCase.HaproxyGap"/>).</summary>
public sealed class HaproxyDesyncTests(DesyncFleet haproxy) : IClassFixture<DesyncFleet>
{
    [HaproxyTheory]
    [MemberData(nameof(DesyncCorpus.ForHaproxy), MemberType = typeof(DesyncCorpus))]
    public async Task Haproxy_hands_every_client_its_own_response(string name)
    {
        var (front, origin) = haproxy.Slot();
        var verdict = await Scenario.RunAsync(_ => Task.FromResult(front), DesyncCorpus.Cases[name], origin);
        Assert.True(verdict.Holds, verdict.Report());
    }
}
