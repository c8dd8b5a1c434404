using MySqlConnector;
using Vigil.Balancing;
using Vigil.Balancing.Health;

namespace Vigil.Db.Tests;

/// <summary>
/// Read/write split with real MariaDB servers: a writer pool (role primary) that follows a promotion,
/// and a read pool (role replica, fallback_to_primary) that drops stopped replicas and falls back to the primary.
/// </summary>
[Collection(MariaDbCollection.Name)]
public sealed class DatabasePoolTests(MariaDbCluster cluster)
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(20);

    private HealthCheckOptions Check(string role) => new()
    {
        Kind = HealthCheckKind.MySql,
        User = MariaDbCluster.MonitorUser,
        PasswordFile = cluster.PasswordFile,
        Role = role,
        MaxLag = TimeSpan.FromSeconds(5),
        FallbackToPrimary = role == "replica",
        Timeout = TimeSpan.FromSeconds(3),
        Rise = 2,
        Fall = 1,
    };

    private static BackendOptions Backend(MariaDbServer server, bool backup = false) => new(server.Address, server.EndPoint, Backup: backup);

    private static Pool NewPool(string name, HealthCheckOptions check, params BackendOptions[] backends) =>
        new(new PoolOptions { Name = name, Backends = backends, Health = check }, TimeProvider.System);

    [Fact]
    public async Task Writer_pool_follows_a_promoted_replica()
    {
        var pool = NewPool("db-write", Check("primary"), Backend(cluster.Primary), Backend(cluster.Replica2));
        var round = new ProbeRound(pool);
        await round.RunAsync();
        Assert.True(round.Eligible().SequenceEqual([cluster.Primary.Address]), round.Describe());
        Assert.Equal("read_only=1", pool.Find(cluster.Replica2.Address)!.Health.Reason);

        try
        {
            // Failover as an operator (or orchestrator) does it: fence the old primary, stop
            // replication on the chosen replica and open it for writes. Vigil is told nothing.
            await cluster.Primary.ExecuteAsync("SET GLOBAL read_only = 1");
            await cluster.WaitCaughtUpAsync(cluster.Replica2);
            await cluster.Replica2.ExecuteAsync("STOP SLAVE; SET GLOBAL read_only = 0");

            await round.UntilAsync(p => p.Eligible.Length == 1 && p.Eligible[0].Address == cluster.Replica2.Address, Settle);
            Assert.True(round.Eligible().SequenceEqual([cluster.Replica2.Address]), round.Describe());
            Assert.Equal("read_only=1", pool.Find(cluster.Primary.Address)!.Health.Reason);

            var picked = pool.Pick(new PickContext(0, DateTimeOffset.UtcNow));
            Assert.NotNull(picked);
            Assert.Equal(cluster.Replica2.Address, picked.Address);

            // The app user writes on the picked backend, and cannot on the fenced old primary.
            var note = $"promoted-{Guid.NewGuid():N}";
            await using (var app = await cluster.Replica2.OpenAsync(MariaDbCluster.AppUser, MariaDbCluster.AppPassword))
            {
                // A table the old primary never writes to, so replication resumes cleanly when the test restores it.
                await using var insert = new MySqlCommand($"INSERT INTO failover_log (note) VALUES ('{note}')", app);
                Assert.Equal(1, await insert.ExecuteNonQueryAsync());
            }
            await using (var fenced = await cluster.Primary.OpenAsync(MariaDbCluster.AppUser, MariaDbCluster.AppPassword))
            {
                await using var insert = new MySqlCommand("INSERT INTO items (note) VALUES ('must fail')", fenced);
                var refused = await Assert.ThrowsAsync<MySqlException>(() => insert.ExecuteNonQueryAsync());
                Assert.Equal(MySqlErrorCode.OptionPreventsStatement, refused.ErrorCode); // 1290 --read-only
            }
        }
        finally
        {
            await cluster.Replica2.ExecuteAsync("SET GLOBAL read_only = 1; START SLAVE");
            await cluster.Primary.ExecuteAsync("SET GLOBAL read_only = 0");
        }

        // Failing back: the old primary is writable again, replica 2 read-only again.
        await round.UntilAsync(p => p.Eligible.Length == 1 && p.Eligible[0].Address == cluster.Primary.Address, Settle);
        Assert.True(round.Eligible().SequenceEqual([cluster.Primary.Address]), round.Describe());
    }

    [Fact]
    public async Task Read_pool_drops_stopped_replicas_and_falls_back_to_the_primary()
    {
        var pool = NewPool("db-read", Check("replica"),
            Backend(cluster.Replica1), Backend(cluster.Replica2), Backend(cluster.Primary, backup: true));
        var round = new ProbeRound(pool);
        string[] replicas = [cluster.Replica1.Address, cluster.Replica2.Address];
        Array.Sort(replicas, StringComparer.Ordinal);

        await round.RunAsync();
        Assert.True(round.Eligible().SequenceEqual(replicas), round.Describe());
        // The primary is probed as a primary (writable), not as a replica, so the fallback is ready.
        Assert.Equal(MySqlRole.Primary, round.ProbeOf(pool.Find(cluster.Primary.Address)!).Role);
        Assert.Equal("writable", pool.Find(cluster.Primary.Address)!.Health.Reason);

        // Reads spread over both replicas.
        var seen = new HashSet<string>();
        for (var i = 0; i < 8; i++) seen.Add(pool.Pick(new PickContext(0, DateTimeOffset.UtcNow))!.Address);
        Assert.True(seen.SetEquals(replicas), string.Join(",", seen));

        try
        {
            await cluster.Replica1.ExecuteAsync("STOP SLAVE");
            await round.RunAsync();
            Assert.True(round.Eligible().SequenceEqual([cluster.Replica2.Address]), round.Describe());
            Assert.Equal("SQL thread stopped; IO thread stopped", pool.Find(cluster.Replica1.Address)!.Health.Reason);

            await cluster.Replica2.ExecuteAsync("STOP SLAVE");
            await round.RunAsync();
            Assert.True(round.Eligible().SequenceEqual([cluster.Primary.Address]), round.Describe());
            Assert.False(pool.HasEligiblePrimary); // only the backup is serving
            Assert.Equal(cluster.Primary.Address, pool.Pick(new PickContext(0, DateTimeOffset.UtcNow))!.Address);

            // Replica 1 returns: after `rise` good probes it takes the reads back from the primary.
            await cluster.Replica1.ExecuteAsync("START SLAVE");
            await round.RunAsync();
            await round.UntilAsync(p => p.Eligible.Length == 1 && p.Eligible[0].Address == cluster.Replica1.Address, Settle);
            Assert.True(round.Eligible().SequenceEqual([cluster.Replica1.Address]), round.Describe());
        }
        finally
        {
            await cluster.Replica1.ExecuteAsync("START SLAVE");
            await cluster.Replica2.ExecuteAsync("START SLAVE");
        }
        await round.UntilAsync(p => p.Eligible.Length == 2, Settle);
        Assert.True(round.Eligible().SequenceEqual(replicas), round.Describe());
    }

    [Fact]
    public async Task Write_through_the_primary_is_read_from_a_picked_replica()
    {
        var writers = NewPool("db-write", Check("primary"), Backend(cluster.Primary), Backend(cluster.Replica1), Backend(cluster.Replica2));
        var readers = NewPool("db-read", Check("replica"),
            Backend(cluster.Replica1), Backend(cluster.Replica2), Backend(cluster.Primary, backup: true));
        await new ProbeRound(writers).RunAsync();
        await new ProbeRound(readers).RunAsync();

        var writer = writers.Pick(new PickContext(0, DateTimeOffset.UtcNow));
        Assert.NotNull(writer);
        Assert.Equal(cluster.Primary.Address, writer.Address);
        var note = $"row-{Guid.NewGuid():N}";
        await using (var app = await Server(writer).OpenAsync(MariaDbCluster.AppUser, MariaDbCluster.AppPassword))
        {
            await using var insert = new MySqlCommand($"INSERT INTO items (note) VALUES ('{note}')", app);
            Assert.Equal(1, await insert.ExecuteNonQueryAsync());
        }

        // Each picked replica sees the row once replication delivers it (a moment on loopback).
        for (var i = 0; i < 2; i++)
        {
            var reader = readers.Pick(new PickContext(0, DateTimeOffset.UtcNow));
            Assert.NotNull(reader);
            Assert.NotEqual(cluster.Primary.Address, reader.Address);
            var count = await Eventually.UntilAsync(async () =>
            {
                await using var app = await Server(reader).OpenAsync(MariaDbCluster.AppUser, MariaDbCluster.AppPassword);
                await using var select = new MySqlCommand($"SELECT COUNT(*) FROM items WHERE note = '{note}'", app);
                return Convert.ToInt64(await select.ExecuteScalarAsync());
            }, c => c == 1, Settle);
            Assert.Equal(1, count);
        }
    }

    private MariaDbServer Server(Backend backend) =>
        new[] { cluster.Primary, cluster.Replica1, cluster.Replica2 }.Single(s => s.Address == backend.Address);
}
