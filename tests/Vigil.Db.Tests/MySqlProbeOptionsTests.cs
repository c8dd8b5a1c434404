using System.Net;
using Vigil.Balancing;
using Vigil.Balancing.Health;

namespace Vigil.Db.Tests;

/// <summary>How a MySqlProbe is built from a pool's check: required fields, and the fallback primary's role.</summary>
public sealed class MySqlProbeOptionsTests
{
    private static readonly HealthCheckOptions Replica = new()
    {
        Kind = HealthCheckKind.MySql, User = "monitor", PasswordFile = "/etc/vigil/monitor.pw", Role = "replica", FallbackToPrimary = true,
    };

    [Fact]
    public void Backup_of_a_fallback_replica_pool_is_checked_as_primary()
    {
        var replica = new BackendOptions("127.0.0.1:3307", new IPEndPoint(IPAddress.Loopback, 3307));
        var primary = new BackendOptions("127.0.0.1:3306", new IPEndPoint(IPAddress.Loopback, 3306), Backup: true);
        Assert.Equal(MySqlRole.Replica, MySqlProbe.ForBackend(Replica, replica).Role);
        Assert.Equal(MySqlRole.Primary, MySqlProbe.ForBackend(Replica, primary).Role);
        // Without fallback_to_primary a backup is just another replica.
        Assert.Equal(MySqlRole.Replica, MySqlProbe.ForBackend(Replica with { FallbackToPrimary = false }, primary).Role);
    }

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
        Assert.Equal(MySqlRole.Primary, new MySqlProbe(Replica with { Role = "Primary" }).Role);
    }
}
