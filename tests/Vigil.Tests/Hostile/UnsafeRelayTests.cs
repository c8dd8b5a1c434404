namespace Vigil.Tests.Hostile;

/// <summary>
/// The suite can fail: through <see cref="NaiveRelay"/> (frames by Content-Length alone, obeys any
/// Connection nomination, reuses its upstream connection blindly) the same cases that hold through
/// HAProxy and a fixed Vigil break the invariant, and the verdict says which innocent got whose answer.
/// </summary>
public sealed class UnsafeRelayTests
{
    public static TheoryData<string, string> Cases() => new()
    {
        { "smuggling", "cl body holding a request + Connection: content-length" },
        { "smuggling", "get with a cl body + Connection: content-length, transfer-encoding, host, x-forwarded-for, x-forwarded-host" },
        { "smuggling", "cl.te" },
        { "smuggling", "cl body holding a request + Connection: host" },
        { "desync", "extra bytes after a content-length body" },
        { "desync", "late bytes after a content-length body" },
        { "desync", "head answered with a body" },
        { "desync", "304 with a late body" },
        { "desync", "content-length and chunked" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task The_invariant_check_flags_an_unsafe_proxy(string corpus, string name)
    {
        var hostile = corpus == "smuggling" ? SmugglingCorpus.Cases[name] : DesyncCorpus.Cases[name];
        var verdict = await Scenario.RunAsync(NaiveRelay.StartAsync, hostile);
        Assert.False(verdict.Holds, "the naive relay passed: the suite cannot see this case\n" + verdict.Report());
    }

    [Fact]
    public async Task A_poisoned_pool_is_reported_as_an_innocent_getting_another_clients_response()
    {
        var verdict = await Scenario.RunAsync(NaiveRelay.StartAsync, DesyncCorpus.Cases["extra bytes after a content-length body"]);
        Assert.Contains("innocent-1 got the response for stray (status 200)", verdict.Violations);
        Assert.Contains("innocent-1 carries someone else's cookie: sid=stray-SECRET", verdict.Violations);
        Assert.Contains("innocent-2 got the response for innocent-1 (status 200)", verdict.Violations);
    }
}
