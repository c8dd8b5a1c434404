using MySqlConnector;
using Vigil.Balancing;
using Vigil.Balancing.Health;

namespace Vigil.Db.Tests;

/// <summary>
/// Read/write split with real MariaDB servers and the real health prober: a writer pool (role primary)
/// that follows a promotion, and a read pool (role replica, fallback_to_primary) that drops stopped
/// replicas, takes them back, and falls back to the primary when none is left.
/// </summary>
[Collection(MariaDbCollection.Name)]
public sealed class DatabasePoolTests(MariaDbCluster cluster)
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(20);

    private static Backend? Pick(Pool pool) => pool.Pick(new PickContext(0, DateTimeOffset.UtcNow));

    [Fact]
    public async Task Writer_pool_follows_a_promoted_replica()
    {
        await using var writers = new ProbedPool("db-write", cluster.Check("primary"), cluster.Primary.AsBackend(), cluster.Replica2.AsBackend());
        var eligible = await writers.WaitEligibleAsync(Settle, cluster.Primary.Address);
        Assert.True(eligible.SequenceEqual([cluster.Primary.Address]), writers.Describe());
        Assert.Equal("read_only=1", writers.Backend(cluster.Replica2).Health.Reason);

        try
        {
            // Failover as an operator (or orchestrator) does it: fence the old primary, let the chosen
            // replica catch up, stop its replication and open it for writes. Vigil is told nothing.
            await cluster.Primary.ExecuteAsync("SET GLOBAL read_only = 1");
            await cluster.WaitCaughtUpAsync(cluster.Replica2);
            await cluster.Replica2.ExecuteAsync("STOP SLAVE; SET GLOBAL read_only = 0");

            eligible = await writers.WaitEligibleAsync(Settle, cluster.Replica2.Address);
            Assert.True(eligible.SequenceEqual([cluster.Replica2.Address]), writers.Describe());
            Assert.Equal("read_only=1", writers.Backend(cluster.Primary).Health.Reason);
            var picked = Pick(writers.Pool);
            Assert.NotNull(picked);
            Assert.Equal(cluster.Replica2.Address, picked.Address);

            // The app user writes on the picked backend, and cannot on the fenced old primary.
            await using (var app = await cluster.Replica2.OpenAsync(MariaDbCluster.AppUser, MariaDbCluster.AppPassword))
            {
                // A table the old primary never writes to, so replication resumes cleanly when the test restores it.
                await using var insert = new MySqlCommand($"INSERT INTO failover_log (note) VALUES ('promoted-{Guid.NewGuid():N}')", app);
                Assert.Equal(1, await insert.ExecuteNonQueryAsync());
            }
            await using (var fenced = await cluster.Primary.OpenAsync(MariaDbCluster.AppUser, MariaDbCluster.AppPassword))
            {
                await using var insert = new MySqlCommand("INSERT INTO items (note) VALUES ('must fail')", fenced);
                var refused = await Assert.ThrowsAsync<MySqlException>(() => insert.ExecuteNonQueryAsync());
                Assert.Equal(MySqlErrorCode.OptionPreventsStatement, refused.ErrorCode); // 1290: running with --read-only
            }
        }
        finally
        {
            await cluster.Replica2.ExecuteAsync("SET GLOBAL read_only = 1; START SLAVE");
            await cluster.Primary.ExecuteAsync("SET GLOBAL read_only = 0");
        }

        // Failing back: the old primary is writable again, replica 2 read-only again.
        eligible = await writers.WaitEligibleAsync(Settle, cluster.Primary.Address);
        Assert.True(eligible.SequenceEqual([cluster.Primary.Address]), writers.Describe());
    }

    [Fact]
    public async Task Read_pool_drops_stopped_replicas_and_falls_back_to_the_primary()
    {
        await using var readers = new ProbedPool("db-read", cluster.Check("replica"),
            cluster.Replica1.AsBackend(), cluster.Replica2.AsBackend(), cluster.Primary.AsBackend(backup: true));
        string[] replicas = [cluster.Replica1.Address, cluster.Replica2.Address];
        Array.Sort(replicas, StringComparer.Ordinal);

        var eligible = await readers.WaitEligibleAsync(Settle, replicas);
        Assert.True(eligible.SequenceEqual(replicas), readers.Describe());
        // The primary, listed as the backup, is judged as the primary the reads fall back to.
        var primary = readers.Backend(cluster.Primary);
        var reason = await readers.WaitReasonAsync(primary, r => r != "no check yet", Settle);
        Assert.True(primary.Health.IsUp, readers.Describe());
        Assert.Equal("primary (fallback), writable", reason);

        // Reads spread over both replicas.
        var seen = new HashSet<string>();
        for (var i = 0; i < 8; i++) seen.Add(Pick(readers.Pool)!.Address);
        Assert.True(seen.SetEquals(replicas), string.Join(",", seen));

        try
        {
            await cluster.Replica1.ExecuteAsync("STOP SLAVE");
            eligible = await readers.WaitEligibleAsync(Settle, cluster.Replica2.Address);
            Assert.True(eligible.SequenceEqual([cluster.Replica2.Address]), readers.Describe());
            // STOP SLAVE stops the SQL thread, then the IO thread; a probe in between sees only the first.
            var stopped = await readers.WaitReasonAsync(readers.Backend(cluster.Replica1),
                r => r == "SQL thread stopped; IO thread stopped", Settle);
            Assert.Equal("SQL thread stopped; IO thread stopped", stopped);

            await cluster.Replica2.ExecuteAsync("STOP SLAVE");
            eligible = await readers.WaitEligibleAsync(Settle, cluster.Primary.Address);
            Assert.True(eligible.SequenceEqual([cluster.Primary.Address]), readers.Describe());
            Assert.False(readers.Pool.HasEligiblePrimary); // only the backup serves
            Assert.Equal(cluster.Primary.Address, Pick(readers.Pool)!.Address);

            // Replica 1 returns: after `rise` good probes it takes the reads back from the primary.
            await cluster.Replica1.ExecuteAsync("START SLAVE");
            eligible = await readers.WaitEligibleAsync(Settle, cluster.Replica1.Address);
            Assert.True(eligible.SequenceEqual([cluster.Replica1.Address]), readers.Describe());
            Assert.Equal(cluster.Replica1.Address, Pick(readers.Pool)!.Address);
        }
        finally
        {
            await cluster.Replica1.ExecuteAsync("START SLAVE");
            await cluster.Replica2.ExecuteAsync("START SLAVE");
        }
        eligible = await readers.WaitEligibleAsync(Settle, replicas);
        Assert.True(eligible.SequenceEqual(replicas), readers.Describe());
    }

    [Fact]
    public async Task Write_through_the_primary_is_read_from_a_picked_replica()
    {
        await using var writers = new ProbedPool("db-write", cluster.Check("primary"),
            cluster.Primary.AsBackend(), cluster.Replica1.AsBackend(), cluster.Replica2.AsBackend());
        await using var readers = new ProbedPool("db-read", cluster.Check("replica"),
            cluster.Replica1.AsBackend(), cluster.Replica2.AsBackend(), cluster.Primary.AsBackend(backup: true));
        await writers.WaitEligibleAsync(Settle, cluster.Primary.Address);
        await readers.WaitEligibleAsync(Settle, cluster.Replica1.Address, cluster.Replica2.Address);

        var writer = Pick(writers.Pool);
        Assert.NotNull(writer);
        Assert.Equal(cluster.Primary.Address, writer.Address);
        var note = $"row-{Guid.NewGuid():N}";
        await using (var app = await Server(writer).OpenAsync(MariaDbCluster.AppUser, MariaDbCluster.AppPassword))
        {
            await using var insert = new MySqlCommand($"INSERT INTO items (note) VALUES ('{note}')", app);
            Assert.Equal(1, await insert.ExecuteNonQueryAsync());
        }

        // Each picked replica sees the row once replication delivers it (a moment on loopback).
        var readFrom = new HashSet<string>();
        for (var i = 0; i < 2; i++)
        {
            var reader = Pick(readers.Pool);
            Assert.NotNull(reader);
            readFrom.Add(reader.Address);
            var count = await Eventually.UntilAsync(async () =>
            {
                await using var app = await Server(reader).OpenAsync(MariaDbCluster.AppUser, MariaDbCluster.AppPassword);
                await using var select = new MySqlCommand($"SELECT COUNT(*) FROM items WHERE note = '{note}'", app);
                return Convert.ToInt64(await select.ExecuteScalarAsync());
            }, c => c == 1, Settle);
            Assert.Equal(1, count);
        }
        Assert.DoesNotContain(cluster.Primary.Address, readFrom);
    }

    private MariaDbServer Server(Backend backend) =>
        new[] { cluster.Primary, cluster.Replica1, cluster.Replica2 }.Single(s => s.Address == backend.Address);
}
