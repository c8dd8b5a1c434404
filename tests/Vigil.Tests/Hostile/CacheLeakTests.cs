using Vigil.Proxy.Http.Upstream;

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

/// <summary>The same corpus with YARP's forwarder (<c>VIGIL_UPSTREAM=yarp</c>): the cache must learn a body was cut short from it too.</summary>
public sealed class CacheLeakThroughYarpTests
{
    [Theory]
    [MemberData(nameof(CacheCorpus.Names), MemberType = typeof(CacheCorpus))]
    public async Task Vigil_never_serves_one_user_what_belongs_to_another(string name)
    {
        var verdict = await CacheScenario.RunAsync(CacheCorpus.Cases[name], UpstreamKind.Yarp);
        Assert.True(verdict.Holds, verdict.Report());
    }
}
