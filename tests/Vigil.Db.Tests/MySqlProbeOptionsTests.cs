using Vigil.Balancing.Health;

namespace Vigil.Db.Tests;

/// <summary>How a MySqlProbe is built from a pool's check: required fields and the role word.</summary>
public sealed class MySqlProbeOptionsTests
{
    private static readonly HealthCheckOptions Replica = new()
    {
        Kind = HealthCheckKind.MySql, User = "monitor", PasswordFile = "/etc/vigil/monitor.pw", Role = "replica",
    };

    [Theory]
    [InlineData(null, "/pw", "primary")]
    [InlineData("monitor", null, "primary")]
    [InlineData("monitor", "/pw", "leader")]
    [InlineData("monitor", "/pw", null)]
    public void Incomplete_check_is_rejected(string? user, string? passwordFile, string? role)
    {
        var options = new HealthCheckOptions { Kind = HealthCheckKind.MySql, User = user, PasswordFile = passwordFile, Role = role };
        Assert.Throws<ArgumentException>(() => new MySqlProbe(options));
    }

    [Fact]
    public void Role_is_case_insensitive()
    {
        Assert.True(new MySqlProbe(Replica with { Role = "Primary" }).IsPrimaryCheck);
        Assert.False(new MySqlProbe(Replica).IsPrimaryCheck);
    }

    [Fact]
    public void Factory_builds_the_mysql_probe()
    {
        Assert.IsType<MySqlProbe>(new HealthProbeFactory().Create(Replica with { Kind = HealthCheckKind.MySql }));
    }
}
