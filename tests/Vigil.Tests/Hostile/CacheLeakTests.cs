namespace Vigil.Tests.Hostile;

/// <summary>Cache poisoning and cross-user leaks through a Vigil route with a cache: every case of <see cref="CacheCorpus"/>.</summary>
public sealed class CacheLeakTests
{
    [Theory]
    [MemberData(nameof(CacheCorpus.Names), MemberType = typeof(CacheCorpus))]
    public async Task Vigil_never_serves_one_user_what_belongs_to_another(string name)
    {
        var verdict = await CacheScenario.RunAsync(CacheCorpus.Cases[name]);
        Assert.True(verdict.Holds, verdict.Report());
    }
}
