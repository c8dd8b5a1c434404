using System.Diagnostics;
using MySqlConnector;

namespace Vigil.Db.Tests;

/// <summary>
/// A replicated MariaDB started once for the test collection: one primary with binary logging and two
/// read-only replicas following it by GTID, a monitor user for Vigil's probe, an ordinary app user
/// (root bypasses read_only, so writes in tests go through this user) and the monitor's password file.
/// Tests that change replication or read_only put it back before they end.
/// </summary>
public sealed class MariaDbCluster : IAsyncLifetime
{
    public const string MonitorUser = "monitor";
    public const string MonitorPassword = "m0nitor-secret";
    public const string AppUser = "app";
    public const string AppPassword = "app-secret";
    private const string ReplicationUser = "repl";
    private const string ReplicationPassword = "repl-secret";
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromSeconds(60);

    private readonly List<MariaDbServer> _servers = [];
    private string _root = "";

    public MariaDbServer Primary { get; private set; } = null!;
    public MariaDbServer Replica1 { get; private set; } = null!;
    public MariaDbServer Replica2 { get; private set; } = null!;
    /// <summary>The monitor's password with a trailing newline, as `echo secret &gt; file` writes it.</summary>
    public string PasswordFile { get; private set; } = "";

    /// <summary>The MySQL check of a pool in these tests: fast (200 ms, rise 2, fall 1), lag limit 5 s.</summary>
    public Vigil.Balancing.Health.HealthCheckOptions Check(string role) => new()
    {
        Kind = Vigil.Balancing.Health.HealthCheckKind.MySql,
        User = MonitorUser,
        PasswordFile = PasswordFile,
        Role = role,
        MaxLag = TimeSpan.FromSeconds(5),
        FallbackToPrimary = role == "replica",
        Interval = TimeSpan.FromMilliseconds(200),
        Timeout = TimeSpan.FromSeconds(3),
        Rise = 2,
        Fall = 1,
    };

    public async Task InitializeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var ct = cts.Token;
        _root = Directory.CreateTempSubdirectory("vigil-mariadb-").FullName;
        try
        {
            PasswordFile = Path.Combine(_root, "monitor.pw");
            await File.WriteAllTextAsync(PasswordFile, MonitorPassword + "\n", ct);
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(PasswordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);

            // One mariadb-install-db run, copied for each server: the system tables are the same and
            // copying is faster than three bootstraps on a shared 2-core machine.
            var template = Path.Combine(_root, "template");
            await InstallAsync(template, ct);

            Primary = await StartAsync("primary", template, 1, ["--log-bin=mysql-bin", "--binlog-format=ROW"], ct);
            // Users, schema and the replication account are created before the replicas start and
            // reach them through replication, as on a real cluster.
            await Primary.ExecuteAsync($"""
                CREATE USER '{ReplicationUser}'@'%' IDENTIFIED BY '{ReplicationPassword}';
                GRANT REPLICATION SLAVE ON *.* TO '{ReplicationUser}'@'%';
                CREATE USER '{MonitorUser}'@'%' IDENTIFIED BY '{MonitorPassword}';
                GRANT REPLICATION CLIENT, SLAVE MONITOR ON *.* TO '{MonitorUser}'@'%';
                CREATE USER 'weak_monitor'@'%' IDENTIFIED BY '{MonitorPassword}';
                GRANT REPLICATION CLIENT ON *.* TO 'weak_monitor'@'%';
                CREATE DATABASE vigil;
                CREATE TABLE vigil.items (id INT AUTO_INCREMENT PRIMARY KEY, note VARCHAR(100) NOT NULL);
                CREATE TABLE vigil.failover_log (id INT AUTO_INCREMENT PRIMARY KEY, note VARCHAR(100) NOT NULL);
                CREATE USER '{AppUser}'@'%' IDENTIFIED BY '{AppPassword}';
                GRANT SELECT, INSERT, UPDATE, DELETE ON vigil.* TO '{AppUser}'@'%';
                """, ct);

            // Replicas run read_only like production ones: the SQL thread still applies changes, ordinary users cannot write.
            string[] replicaFlags = ["--read-only=1", "--skip-slave-start", "--relay-log=relay-bin"];
            var replicas = await Task.WhenAll(
                StartAsync("replica1", template, 2, replicaFlags, ct),
                StartAsync("replica2", template, 3, replicaFlags, ct));
            (Replica1, Replica2) = (replicas[0], replicas[1]);
            foreach (var replica in replicas)
            {
                await replica.ExecuteAsync($"""
                    CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT={Primary.Port},
                      MASTER_USER='{ReplicationUser}', MASTER_PASSWORD='{ReplicationPassword}',
                      MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1;
                    START SLAVE;
                    """, ct);
            }
            await WaitCaughtUpAsync(Replica1, ct);
            await WaitCaughtUpAsync(Replica2, ct);
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    /// <summary>Blocks until <paramref name="replica"/> has applied everything the primary has written so far.</summary>
    public async Task WaitCaughtUpAsync(MariaDbServer replica, CancellationToken cancellationToken = default)
    {
        var position = (string?)await Primary.ScalarAsync("SELECT @@gtid_binlog_pos", cancellationToken) ?? "";
        // MASTER_GTID_WAIT returns 0 when reached, -1 on its own timeout (bounded at 20s).
        var reached = await replica.ScalarAsync($"SELECT MASTER_GTID_WAIT('{position}', 20)", cancellationToken);
        if (Convert.ToInt32(reached) != 0)
            throw new InvalidOperationException($"{replica.Name} did not reach {position}: {await DescribeReplicationAsync(replica)}");
    }

    /// <summary>The replication threads' states and errors, for failure messages.</summary>
    public static async Task<string> DescribeReplicationAsync(MariaDbServer replica)
    {
        await using var connection = await replica.OpenRootAsync();
        await using var command = new MySqlCommand("SHOW SLAVE STATUS", connection);
        await using var reader = await command.ExecuteReaderAsync();
        if (!await reader.ReadAsync()) return "not a replica";
        return $"IO={reader["Slave_IO_Running"]} SQL={reader["Slave_SQL_Running"]} lag={reader["Seconds_Behind_Master"]} " +
               $"io_error={reader["Last_IO_Error"]} sql_error={reader["Last_SQL_Error"]}";
    }

    public async Task DisposeAsync()
    {
        // Replicas first, so they do not log reconnect attempts to a primary that is already gone.
        for (var i = _servers.Count - 1; i >= 0; i--) await _servers[i].DisposeAsync();
        _servers.Clear();
        if (_root.Length > 0 && Directory.Exists(_root))
        {
            try { Directory.Delete(_root, recursive: true); }
            catch (IOException) { /* a killed server's file may linger for a moment; /tmp is cleaned eventually */ }
        }
    }

    private async Task<MariaDbServer> StartAsync(string name, string template, int serverId, string[] flags, CancellationToken ct)
    {
        var server = await MariaDbServer.StartAsync(name, _root, template, serverId, flags, ct);
        lock (_servers) _servers.Add(server);
        return server;
    }

    private static async Task InstallAsync(string datadir, CancellationToken ct)
    {
        var start = new ProcessStartInfo("mariadb-install-db")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("--no-defaults");
        if (Environment.UserName == "root") start.ArgumentList.Add("--user=root");
        start.ArgumentList.Add($"--datadir={datadir}");
        // root@localhost with an empty password over the socket only; the tests' TCP logins are real users.
        start.ArgumentList.Add("--auth-root-authentication-method=normal");
        start.ArgumentList.Add("--skip-test-db");
        foreach (var flag in MariaDbServer.SmallServerFlags) start.ArgumentList.Add(flag);

        using var process = Process.Start(start) ?? throw new InvalidOperationException("mariadb-install-db did not start");
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(InstallTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"mariadb-install-db did not finish in {InstallTimeout.TotalSeconds}s");
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"mariadb-install-db failed ({process.ExitCode}): {await stderr}{await stdout}");
    }
}

/// <summary>Tests that share the one replicated MariaDB; xunit runs them one after another.</summary>
[CollectionDefinition(Name)]
public sealed class MariaDbCollection : ICollectionFixture<MariaDbCluster>
{
    public const string Name = "mariadb";
}
