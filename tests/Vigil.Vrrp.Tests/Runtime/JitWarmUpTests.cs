using Vigil.Vrrp.Runtime;
using Xunit.Abstractions;

namespace Vigil.Vrrp.Tests.Runtime;

public sealed class JitWarmUpTests(ITestOutputHelper output)
{
    [Fact]
    public void CompilesOncePerProcessWithoutThrowing()
    {
        // Other tests may have started an instance first (which runs it); then this call is the second.
        var first = JitWarmUp.Run();
        var second = JitWarmUp.Run();
        output.WriteLine($"first call here: {first.TotalMilliseconds:0.0} ms");
        Assert.Equal(TimeSpan.Zero, second);
    }
}
