using System.Data;
using Vigil.Balancing.Health;

namespace Vigil.Db.Tests;

/// <summary>The replica decision on the values MySQL and MariaDB report, without a server.</summary>
public sealed class MySqlReplicaStatusTests
{
    private static readonly TimeSpan MaxLag = TimeSpan.FromSeconds(5);

    [Theory]
    [InlineData(0L, "replicating, lag 0s")]
    [InlineData(5L, "replicating, lag 5s")]
    public void Running_within_max_lag_is_up(long lag, string detail)
    {
        var result = new MySqlReplicaStatus("Yes", "Yes", lag).Evaluate(MaxLag);
        Assert.True(result.Healthy);
        Assert.Equal(detail, result.Detail);
    }

    [Fact]
    public void Lag_over_max_is_down_with_both_numbers()
    {
        var result = new MySqlReplicaStatus("Yes", "Yes", 12).Evaluate(MaxLag);
        Assert.False(result.Healthy);
        Assert.Equal("lag 12s > 5s", result.Detail);
    }

    [Fact]
    public void Sub_second_max_lag_is_printed_as_given()
    {
        var result = new MySqlReplicaStatus("Yes", "Yes", 1).Evaluate(TimeSpan.FromMilliseconds(500));
        Assert.Equal("lag 1s > 0.5s", result.Detail);
    }

    [Fact]
    public void Null_lag_is_never_zero()
    {
        var result = new MySqlReplicaStatus("Yes", "Yes", null).Evaluate(MaxLag);
        Assert.False(result.Healthy);
        Assert.Equal("lag unknown (Seconds_Behind_Master NULL)", result.Detail);
    }

    [Fact]
    public void Sql_error_is_the_reason()
    {
        var result = new MySqlReplicaStatus("Yes", "No", null, LastSqlErrno: 1062,
            LastSqlError: "Duplicate entry '7' for key 'PRIMARY'").Evaluate(MaxLag);
        Assert.False(result.Healthy);
        Assert.Equal("SQL thread stopped: error 1062: Duplicate entry '7' for key 'PRIMARY'", result.Detail);
    }

    [Fact]
    public void Connecting_io_thread_is_down_even_with_a_lag_value()
    {
        var result = new MySqlReplicaStatus("Connecting", "Yes", 0).Evaluate(MaxLag);
        Assert.False(result.Healthy);
        Assert.Equal("IO thread Connecting", result.Detail);
    }

    [Fact]
    public void Both_threads_stopped_names_both()
    {
        var result = new MySqlReplicaStatus("No", "No", null, LastIoErrno: 2003, LastIoError: "can't connect").Evaluate(MaxLag);
        Assert.Equal("SQL thread stopped; IO thread stopped: error 2003: can't connect", result.Detail);
    }

    [Fact]
    public void Reads_mysql_8_spellings()
    {
        // MySQL 8.0.22+ SHOW REPLICA STATUS columns (a subset), lag NULL while the SQL thread is stopped.
        using var reader = Row(
            ("Replica_IO_Running", typeof(string), "Yes"), ("Replica_SQL_Running", typeof(string), "No"),
            ("Seconds_Behind_Source", typeof(ulong), DBNull.Value), ("Last_SQL_Errno", typeof(uint), 1146u),
            ("Last_SQL_Error", typeof(string), "Table 'app.t' doesn't exist"));
        var status = MySqlReplicaStatus.Read(reader);
        Assert.Equal(new MySqlReplicaStatus("Yes", "No", null, 0, null, 1146, "Table 'app.t' doesn't exist"), status);
        Assert.Equal("SQL thread stopped: error 1146: Table 'app.t' doesn't exist", status.Evaluate(MaxLag).Detail);
    }

    [Fact]
    public void Reads_mariadb_spellings_with_numeric_lag()
    {
        using var reader = Row(
            ("Slave_IO_Running", typeof(string), "Yes"), ("Slave_SQL_Running", typeof(string), "Yes"),
            ("Seconds_Behind_Master", typeof(long), 7L), ("Last_IO_Errno", typeof(int), 0), ("Last_IO_Error", typeof(string), ""));
        var result = MySqlReplicaStatus.Read(reader).Evaluate(MaxLag);
        Assert.Equal(new ProbeResult(false, "lag 7s > 5s"), result);
    }

    [Fact]
    public void Missing_columns_are_not_a_healthy_replica()
    {
        using var reader = Row(("Something_else", typeof(string), "x"));
        var result = MySqlReplicaStatus.Read(reader).Evaluate(MaxLag);
        Assert.False(result.Healthy);
        Assert.Equal("SQL thread stopped; IO thread unknown", result.Detail);
    }

    private static DataTableReader Row(params (string Name, Type Type, object Value)[] columns)
    {
        var table = new DataTable();
        foreach (var (name, type, _) in columns) table.Columns.Add(name, type);
        table.Rows.Add(columns.Select(c => c.Value).ToArray());
        var reader = table.CreateDataReader();
        Assert.True(reader.Read());
        return reader;
    }

    [Fact]
    public void Long_errors_are_shortened()
    {
        var result = new MySqlReplicaStatus("Yes", "No", null, LastSqlErrno: 1146, LastSqlError: new string('x', 1000)).Evaluate(MaxLag);
        Assert.True(result.Detail.Length < 220, result.Detail);
        Assert.EndsWith("…", result.Detail);
    }
}

/// <summary>The primary decision on SHOW VARIABLES output from MySQL and MariaDB, without a server.</summary>
public sealed class MySqlWritabilityTests
{
    private static Dictionary<string, string?> Vars(params (string Name, string? Value)[] vars) =>
        vars.ToDictionary(v => v.Name, v => v.Value, StringComparer.OrdinalIgnoreCase);

    [Fact]
    public void MariaDb_without_super_read_only_is_writable_when_read_only_is_off()
    {
        var result = MySqlWritability.Evaluate(Vars(("read_only", "OFF"), ("innodb_read_only", "OFF")));
        Assert.True(result.Healthy);
        Assert.Equal("writable", result.Detail);
    }

    [Theory]
    [InlineData("ON")]
    [InlineData("1")]
    [InlineData("NO_LOCK")] // MariaDB 11 read_only enum
    public void Read_only_on_is_down(string value)
    {
        var result = MySqlWritability.Evaluate(Vars(("read_only", value), ("innodb_read_only", "OFF")));
        Assert.False(result.Healthy);
        Assert.Equal("read_only=1", result.Detail);
    }

    [Fact]
    public void MySql_super_read_only_counts_and_all_switches_are_listed_in_order()
    {
        var result = MySqlWritability.Evaluate(Vars(("super_read_only", "ON"), ("read_only", "ON"), ("innodb_read_only", "ON")));
        Assert.False(result.Healthy);
        Assert.Equal("read_only=1, super_read_only=1, innodb_read_only=1", result.Detail);
    }

    [Fact]
    public void Innodb_read_only_alone_is_down()
    {
        var result = MySqlWritability.Evaluate(Vars(("read_only", "OFF"), ("super_read_only", "OFF"), ("innodb_read_only", "ON")));
        Assert.Equal(new ProbeResult(false, "innodb_read_only=1"), result);
    }

    [Fact]
    public void Missing_read_only_is_not_writable()
    {
        var result = MySqlWritability.Evaluate(Vars());
        Assert.False(result.Healthy);
        Assert.Equal("read_only not reported", result.Detail);
    }
}
