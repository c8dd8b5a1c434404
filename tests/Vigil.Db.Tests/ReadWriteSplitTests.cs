using System.Net;
using MySqlConnector;
using Vigil.Balancing;
using Vigil.Balancing.Health;
using Vigil.Proxy.Tcp;

namespace Vigil.Db.Tests;

/// <summary>
/// The deployment of docs/l4-and-databases.md end to end: an application connects to Vigil's writer
/// and reader TCP listeners (L4, nothing parsed) and lands on the primary or a replica; the pools'
/// MySQL health checks move it when replication stops or a replica is promoted.
/// </summary>
[Collection(MariaDbCollection.Name)]
public sealed class ReadWriteSplitTests(MariaDbCluster cluster) : IAsyncLifetime
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(20);
    private ProbedPool _writers = null!;
    private ProbedPool _readers = null!;
    private TcpProxyListener _writeListener = null!;
    private TcpProxyListener _readListener = null!;

    public async Task InitializeAsync()
    {
        // As in the docs: the writer pool lists every server and lets the primary check pick the
        // writable one; the reader pool lists the replicas, and the primary as backup.
        _writers = new ProbedPool("db-write", cluster.Check("primary"),
            cluster.Primary.AsBackend(), cluster.Replica1.AsBackend(), cluster.Replica2.AsBackend());
        _readers = new ProbedPool("db-read", cluster.Check("replica"),
            cluster.Replica1.AsBackend(), cluster.Replica2.AsBackend(), cluster.Primary.AsBackend(backup: true));
        _writeListener = Listen("mysql-write", _writers.Pool);
        _readListener = Listen("mysql-read", _readers.Pool);
        await _writers.WaitEligibleAsync(Settle, cluster.Primary.Address);
        await _readers.WaitEligibleAsync(Settle, cluster.Replica1.Address, cluster.Replica2.Address);
    }

    public async Task DisposeAsync()
    {
        await _writeListener.DisposeAsync();
        await _readListener.DisposeAsync();
        await _writers.DisposeAsync();
        await _readers.DisposeAsync();
    }

    [Fact]
    public async Task Writes_land_on_the_primary_and_reads_spread_over_the_replicas()
    {
        var note = $"split-{Guid.NewGuid():N}";
        await using (var write = await ConnectAsync(_writeListener))
        {
            Assert.Equal(cluster.Primary.ServerId, await ServerIdAsync(write));
            await using var insert = new MySqlCommand($"INSERT INTO items (note) VALUES ('{note}')", write);
            Assert.Equal(1, await insert.ExecuteNonQueryAsync());
        }
        Assert.Equal(1L, Convert.ToInt64(await cluster.Primary.ScalarAsync($"SELECT COUNT(*) FROM vigil.items WHERE note = '{note}'")));

        var servedBy = new HashSet<int>();
        for (var i = 0; i < 6; i++)
        {
            await using var read = await ConnectAsync(_readListener);
            servedBy.Add(await ServerIdAsync(read));
            var count = await Eventually.UntilAsync(() => CountAsync(read, note), c => c == 1, Settle);
            Assert.Equal(1, count);
        }
        Assert.True(servedBy.SetEquals([cluster.Replica1.ServerId, cluster.Replica2.ServerId]), string.Join(",", servedBy));
    }

    [Fact]
    public async Task Stop_slave_takes_a_replica_out_of_the_read_listener_and_start_slave_brings_it_back()
    {
        try
        {
            await cluster.Replica1.ExecuteAsync("STOP SLAVE");
            var eligible = await _readers.WaitEligibleAsync(Settle, cluster.Replica2.Address);
            Assert.True(eligible.SequenceEqual([cluster.Replica2.Address]), _readers.Describe());
            for (var i = 0; i < 4; i++)
            {
                await using var read = await ConnectAsync(_readListener);
                Assert.Equal(cluster.Replica2.ServerId, await ServerIdAsync(read));
            }
        }
        finally
        {
            await cluster.Replica1.ExecuteAsync("START SLAVE");
        }
        var back = await _readers.WaitEligibleAsync(Settle, cluster.Replica1.Address, cluster.Replica2.Address);
        Assert.Equal(2, back.Length);
        var servedBy = new HashSet<int>();
        for (var i = 0; i < 4; i++)
        {
            await using var read = await ConnectAsync(_readListener);
            servedBy.Add(await ServerIdAsync(read));
        }
        Assert.Contains(cluster.Replica1.ServerId, servedBy);
    }

    [Fact]
    public async Task Promotion_moves_the_write_listener_to_the_new_primary()
    {
        try
        {
            await cluster.Primary.ExecuteAsync("SET GLOBAL read_only = 1");
            await cluster.WaitCaughtUpAsync(cluster.Replica2);
            await cluster.Replica2.ExecuteAsync("STOP SLAVE; SET GLOBAL read_only = 0");
            var eligible = await _writers.WaitEligibleAsync(Settle, cluster.Replica2.Address);
            Assert.True(eligible.SequenceEqual([cluster.Replica2.Address]), _writers.Describe());

            // The application changed nothing: same listener address, now the new primary, writable.
            await using var write = await ConnectAsync(_writeListener);
            Assert.Equal(cluster.Replica2.ServerId, await ServerIdAsync(write));
            await using var insert = new MySqlCommand($"INSERT INTO failover_log (note) VALUES ('via-vigil-{Guid.NewGuid():N}')", write);
            Assert.Equal(1, await insert.ExecuteNonQueryAsync());
        }
        finally
        {
            await cluster.Replica2.ExecuteAsync("SET GLOBAL read_only = 1; START SLAVE");
            await cluster.Primary.ExecuteAsync("SET GLOBAL read_only = 0");
        }
        var back = await _writers.WaitEligibleAsync(Settle, cluster.Primary.Address);
        Assert.True(back.SequenceEqual([cluster.Primary.Address]), _writers.Describe());
    }

    private static TcpProxyListener Listen(string name, Pool pool)
    {
        var listener = new TcpProxyListener(
            new TcpListenerOptions { Name = name, EndPoint = new IPEndPoint(IPAddress.Loopback, 0), Pool = pool.Name },
            () => pool);
        listener.Start();
        return listener;
    }

    private static Task<MySqlConnection> ConnectAsync(TcpProxyListener listener) =>
        MariaDbServer.OpenAsync(listener.LocalEndPoint!, MariaDbCluster.AppUser, MariaDbCluster.AppPassword);

    private static async Task<int> ServerIdAsync(MySqlConnection connection)
    {
        await using var command = new MySqlCommand("SELECT @@server_id", connection);
        return Convert.ToInt32(await command.ExecuteScalarAsync());
    }

    private static async Task<long> CountAsync(MySqlConnection connection, string note)
    {
        await using var command = new MySqlCommand($"SELECT COUNT(*) FROM items WHERE note = '{note}'", connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }
}
