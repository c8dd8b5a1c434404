using Vigil.Config;
using static Vigil.Tests.Config.ConfigAssert;

namespace Vigil.Tests.Config;

/// <summary>Models compare by value, so a reload can tell what changed; line positions do not count.</summary>
public class ConfigEqualityTests
{
    [Fact]
    public void Same_text_gives_equal_models()
    {
        var a = Valid(DesignExampleTests.DesignExample);
        var b = Valid(DesignExampleTests.DesignExample);
        Assert.NotSame(a, b);
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
    }

    [Fact]
    public void Moving_a_block_down_keeps_it_equal()
    {
        var a = Valid(DesignExampleTests.DesignExample);
        var b = Valid("# a comment pushes every line down\n\n" + DesignExampleTests.DesignExample);
        Assert.Equal(a.Listeners[0], b.Listeners[0]);
        Assert.Equal(a.Pools[0], b.Pools[0]);
        Assert.NotEqual(ConfigLines.Of(a.Listeners[0]), ConfigLines.Of(b.Listeners[0]));
    }

    [Fact]
    public void A_changed_value_deep_inside_is_a_change()
    {
        var a = Valid(DesignExampleTests.DesignExample);
        var b = Valid(DesignExampleTests.DesignExample.Replace("weight: 2", "weight: 3"));
        Assert.NotEqual(a.Pools[0], b.Pools[0]);
        Assert.Equal(a.Pools[1], b.Pools[1]);
        Assert.Equal(a.Listeners, b.Listeners);

        var c = Valid(DesignExampleTests.DesignExample.Replace("web: -60", "web: -50"));
        Assert.NotEqual(a.Vrrp[0], c.Vrrp[0]);

        var d = Valid(DesignExampleTests.DesignExample.Replace("path_prefix: /api/", "path_prefix: /v2/"));
        Assert.NotEqual(a.Listeners[0], d.Listeners[0]);
        Assert.Equal(a.Listeners[1], d.Listeners[1]);
    }
}
