using Vigil.Balancing.Health;

namespace Vigil.Db.Tests;

/// <summary>MySqlProbe against real MariaDB servers: logins, read_only switches and replication states.</summary>
[Collection(MariaDbCollection.Name)]
public sealed class MySqlProbeTests(MariaDbCluster cluster)
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(20);

    private MySqlProbe Probe(string role, string? passwordFile = null, string user = MariaDbCluster.MonitorUser, TimeSpan? maxLag = null,
        bool fallbackToPrimary = false) =>
        new(new HealthCheckOptions
        {
            Kind = HealthCheckKind.MySql,
            User = user,
            PasswordFile = passwordFile ?? cluster.PasswordFile,
            Role = role,
            MaxLag = maxLag ?? TimeSpan.FromSeconds(5),
            Timeout = TimeSpan.FromSeconds(3),
            FallbackToPrimary = fallbackToPrimary,
        });

    private static async Task<ProbeResult> ProbeAsync(MySqlProbe probe, MariaDbServer server)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await probe.ProbeAsync(server.EndPoint, timeout.Token);
    }

    [Fact]
    public async Task Primary_is_up_when_writable()
    {
        var result = await ProbeAsync(Probe("primary"), cluster.Primary);
        Assert.True(result.Healthy, result.Detail);
        Assert.Equal("writable", result.Detail);
    }

    [Fact]
    public async Task Replicas_are_up_while_replicating()
    {
        foreach (var replica in new[] { cluster.Replica1, cluster.Replica2 })
        {
            var result = await ProbeAsync(Probe("replica"), replica);
            Assert.True(result.Healthy, $"{replica.Name}: {result.Detail}");
            Assert.StartsWith("replicating, lag ", result.Detail);
        }
    }

    [Fact]
    public async Task Replica_is_read_only_so_not_a_primary()
    {
        var result = await ProbeAsync(Probe("primary"), cluster.Replica1);
        Assert.False(result.Healthy);
        Assert.Equal("read_only=1", result.Detail);
    }

    [Fact]
    public async Task Primary_is_not_a_replica()
    {
        var result = await ProbeAsync(Probe("replica"), cluster.Primary);
        Assert.False(result.Healthy);
        Assert.Equal("not a replica", result.Detail);
    }

    [Fact]
    public async Task With_fallback_to_primary_the_primary_counts_while_writable()
    {
        var probe = Probe("replica", fallbackToPrimary: true);
        var up = await ProbeAsync(probe, cluster.Primary);
        Assert.True(up.Healthy, up.Detail);
        Assert.Equal("primary (fallback), writable", up.Detail);
        try
        {
            // A fenced (demoted) primary that is not replicating is neither a replica nor the primary.
            await cluster.Primary.ExecuteAsync("SET GLOBAL read_only = 1");
            var fenced = await ProbeAsync(probe, cluster.Primary);
            Assert.False(fenced.Healthy);
            Assert.Equal("not a replica; read_only=1", fenced.Detail);
        }
        finally
        {
            await cluster.Primary.ExecuteAsync("SET GLOBAL read_only = 0");
        }
        // Replicas are still judged as replicas.
        var replica = await ProbeAsync(probe, cluster.Replica1);
        Assert.StartsWith("replicating, lag ", replica.Detail);
    }

    [Fact]
    public async Task Stopped_replica_is_down_and_comes_back_after_start_slave()
    {
        var probe = Probe("replica");
        try
        {
            await cluster.Replica1.ExecuteAsync("STOP SLAVE");
            var stopped = await ProbeAsync(probe, cluster.Replica1);
            Assert.False(stopped.Healthy);
            Assert.Equal("SQL thread stopped; IO thread stopped", stopped.Detail);

            // Only the SQL thread stopped: the IO thread keeps fetching, lag is NULL, still unusable.
            // (START SLAVE returns before the IO thread has connected, so wait for it to leave "Connecting".)
            await cluster.Replica1.ExecuteAsync("START SLAVE; STOP SLAVE SQL_THREAD");
            var sqlStopped = await Eventually.UntilAsync(
                () => ProbeAsync(probe, cluster.Replica1), r => r.Detail == "SQL thread stopped", Settle);
            Assert.False(sqlStopped.Healthy);
            Assert.Equal("SQL thread stopped", sqlStopped.Detail);
        }
        finally
        {
            await cluster.Replica1.ExecuteAsync("START SLAVE");
        }
        var back = await Eventually.UntilAsync(() => ProbeAsync(probe, cluster.Replica1), r => r.Healthy, Settle);
        Assert.True(back.Healthy, back.Detail);
    }

    [Fact]
    public async Task Replica_whose_primary_refuses_it_shows_the_io_error()
    {
        var probe = Probe("replica");
        try
        {
            // A wrong replication password: the IO thread retries and reports the primary's refusal.
            await cluster.Replica2.ExecuteAsync("STOP SLAVE; CHANGE MASTER TO MASTER_PASSWORD='wrong'; START SLAVE");
            var result = await Eventually.UntilAsync(
                () => ProbeAsync(probe, cluster.Replica2),
                r => r.Detail.Contains("error 1045", StringComparison.Ordinal), Settle);
            Assert.False(result.Healthy);
            Assert.StartsWith("IO thread Connecting: error 1045: ", result.Detail);
        }
        finally
        {
            await cluster.Replica2.ExecuteAsync("STOP SLAVE; CHANGE MASTER TO MASTER_PASSWORD='repl-secret'; START SLAVE");
        }
        var back = await Eventually.UntilAsync(() => ProbeAsync(probe, cluster.Replica2), r => r.Healthy, Settle);
        Assert.True(back.Healthy, back.Detail);
    }

    [Fact]
    public async Task Sql_thread_error_is_the_reason()
    {
        var probe = Probe("replica");
        var note = $"dup-{Guid.NewGuid():N}";
        try
        {
            // Root on the replica (bypassing read_only) inserts the row the primary is about to insert:
            // the SQL thread then stops on a duplicate key, the classic broken replica.
            var next = Convert.ToInt64(await cluster.Primary.ScalarAsync("SELECT COALESCE(MAX(id), 0) + 1000 FROM vigil.items"));
            await cluster.Replica1.ExecuteAsync($"SET sql_log_bin = 0; INSERT INTO vigil.items (id, note) VALUES ({next}, 'replica-only')");
            await cluster.Primary.ExecuteAsync($"INSERT INTO vigil.items (id, note) VALUES ({next}, '{note}')");
            var result = await Eventually.UntilAsync(
                () => ProbeAsync(probe, cluster.Replica1),
                r => r.Detail.StartsWith("SQL thread stopped: error 1062", StringComparison.Ordinal), Settle);
            Assert.False(result.Healthy);
            Assert.StartsWith("SQL thread stopped: error 1062: ", result.Detail);

            // Repair as an operator would: drop the conflicting row, restart the SQL thread.
            await cluster.Replica1.ExecuteAsync($"DELETE FROM vigil.items WHERE id = {next}; START SLAVE SQL_THREAD");
        }
        finally
        {
            await cluster.Replica1.ExecuteAsync("START SLAVE");
        }
        var back = await Eventually.UntilAsync(() => ProbeAsync(probe, cluster.Replica1), r => r.Healthy, Settle);
        Assert.True(back.Healthy, back.Detail);
        Assert.Equal(note, await cluster.Replica1.ScalarAsync("SELECT note FROM vigil.items ORDER BY id DESC LIMIT 1"));
    }

    [Fact]
    public async Task Delayed_replica_is_down_with_its_lag()
    {
        // MASTER_DELAY holds events back, so Seconds_Behind_Master grows past max_lag for real.
        var probe = Probe("replica", maxLag: TimeSpan.FromSeconds(1));
        try
        {
            await cluster.Replica2.ExecuteAsync("STOP SLAVE; CHANGE MASTER TO MASTER_DELAY=60; START SLAVE");
            await cluster.Primary.ExecuteAsync("INSERT INTO vigil.items (note) VALUES ('delayed')");
            var result = await Eventually.UntilAsync(
                () => ProbeAsync(probe, cluster.Replica2),
                r => r.Detail.StartsWith("lag ", StringComparison.Ordinal), Settle);
            Assert.False(result.Healthy);
            Assert.Matches(@"^lag \d+s > 1s$", result.Detail);
        }
        finally
        {
            await cluster.Replica2.ExecuteAsync("STOP SLAVE; CHANGE MASTER TO MASTER_DELAY=0; START SLAVE");
        }
        await cluster.WaitCaughtUpAsync(cluster.Replica2);
        var back = await Eventually.UntilAsync(() => ProbeAsync(probe, cluster.Replica2), r => r.Healthy, Settle);
        Assert.True(back.Healthy, back.Detail);
    }

    [Fact]
    public async Task Wrong_password_is_an_authentication_failure_and_not_echoed()
    {
        var wrong = Path.Combine(Path.GetDirectoryName(cluster.PasswordFile)!, "wrong.pw");
        await File.WriteAllTextAsync(wrong, "not-the-password\n");
        var result = await ProbeAsync(Probe("primary", wrong), cluster.Primary);
        Assert.False(result.Healthy);
        Assert.StartsWith("authentication failed: ", result.Detail);
        Assert.Contains("monitor", result.Detail);
        Assert.DoesNotContain("not-the-password", result.Detail);
    }

    [Fact]
    public async Task Missing_password_file_is_down_with_reason()
    {
        var result = await ProbeAsync(Probe("primary", "/nonexistent/vigil/monitor.pw"), cluster.Primary);
        Assert.False(result.Healthy);
        Assert.StartsWith("password file unreadable: ", result.Detail);
    }

    [Fact]
    public async Task Replication_client_alone_cannot_read_slave_status_on_mariadb()
    {
        // MariaDB 10.5+ moved SHOW SLAVE STATUS behind SLAVE MONITOR; the probe says so instead of "down".
        var result = await ProbeAsync(Probe("replica", user: "weak_monitor"), cluster.Replica1);
        Assert.False(result.Healthy);
        Assert.StartsWith("monitor user lacks a privilege: ", result.Detail);
        Assert.Contains("SLAVE MONITOR", result.Detail);
    }

    [Fact]
    public async Task Read_only_primary_is_down()
    {
        var probe = Probe("primary");
        try
        {
            await cluster.Primary.ExecuteAsync("SET GLOBAL read_only = 1");
            var result = await ProbeAsync(probe, cluster.Primary);
            Assert.False(result.Healthy);
            Assert.Equal("read_only=1", result.Detail);
        }
        finally
        {
            await cluster.Primary.ExecuteAsync("SET GLOBAL read_only = 0");
        }
        var back = await ProbeAsync(probe, cluster.Primary);
        Assert.True(back.Healthy, back.Detail);
    }

    [Fact]
    public async Task Closed_port_is_a_connect_failure()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var endpoint = (System.Net.IPEndPoint)listener.LocalEndpoint;
        listener.Stop();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var result = await Probe("primary").ProbeAsync(endpoint, timeout.Token);
        Assert.False(result.Healthy);
        Assert.StartsWith("connect failed: ", result.Detail);
    }
}
