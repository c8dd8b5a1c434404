using Vigil.Config;
using static Vigil.Tests.Config.ConfigAssert;

namespace Vigil.Tests.Config;

public class ConfigDiffTests
{
    private static readonly string Before = DesignExampleTests.DesignExample;

    [Fact]
    public void Same_file_is_no_change()
    {
        var diff = ConfigDiff.Between(Valid(Before), Valid("# reloaded\n" + Before));
        Assert.True(diff.IsEmpty);
        Assert.Equal("no change", diff.ToString());
    }

    [Fact]
    public void Changed_pool_leaves_listeners_unchanged()
    {
        var diff = ConfigDiff.Between(Valid(Before), Valid(Before.Replace("weight: 2", "weight: 4")));
        Assert.Equal(["web"], diff.Pools.Changed);
        Assert.True(diff.Listeners.IsEmpty);
        Assert.True(diff.Vrrp.IsEmpty);
        Assert.Equal("pools ~web", diff.ToString());
    }

    [Fact]
    public void Added_removed_and_changed_by_name()
    {
        var after = Before
            .Replace("  - { name: mysql-read, protocol: tcp, listen: 0.0.0.0:3306, pool: db-read }",
                     "  - { name: mysql-ro, protocol: tcp, listen: 0.0.0.0:3306, pool: db-read }")
            .Replace("main: { memory: 256MiB }", "main: { memory: 512MiB }")
            .Replace("priority: 150", "priority: 120")
            .Replace("node: { name: lb1 }", "node: { name: lb2 }");
        var diff = ConfigDiff.Between(Valid(Before), Valid(after));
        Assert.Equal(["mysql-ro"], diff.Listeners.Added);
        Assert.Equal(["mysql-read"], diff.Listeners.Removed);
        Assert.Empty(diff.Listeners.Changed);
        Assert.Equal(["main"], diff.Caches.Changed);
        Assert.Equal(["front"], diff.Vrrp.Changed);
        Assert.True(diff.NodeChanged);
        Assert.False(diff.AdminChanged);
        Assert.True(diff.Pools.IsEmpty);
        Assert.Equal("node changed; listeners +mysql-ro -mysql-read; caches ~main; vrrp ~front", diff.ToString());
    }
}
