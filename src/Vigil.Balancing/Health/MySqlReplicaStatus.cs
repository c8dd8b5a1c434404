using System.Data.Common;
using System.Globalization;

namespace Vigil.Balancing.Health;

/// <summary>
/// The fields of one <c>SHOW SLAVE STATUS</c> / <c>SHOW REPLICA STATUS</c> row that decide whether a
/// replica may serve reads, and that decision. Reads both spellings: MariaDB and MySQL before 8.0.22
/// say Slave_*/Seconds_Behind_Master, MySQL 8.0.22+ says Replica_*/Seconds_Behind_Source.
/// </summary>
/// <param name="IoRunning">Yes, No or Connecting.</param>
/// <param name="SqlRunning">Yes or No.</param>
/// <param name="SecondsBehind">Null whenever a thread is stopped or the IO thread is still connecting.</param>
public sealed record MySqlReplicaStatus(
    string IoRunning,
    string SqlRunning,
    long? SecondsBehind,
    int LastIoErrno = 0,
    string? LastIoError = null,
    int LastSqlErrno = 0,
    string? LastSqlError = null)
{
    // Server error texts can be long (the whole failing statement); the status page needs the gist.
    private const int MaxErrorLength = 160;

    /// <summary>
    /// Up when both threads run and the lag is known and at most <paramref name="maxLag"/>.
    /// A NULL lag means the server cannot tell how far behind it is: unusable, never 0.
    /// </summary>
    public ProbeResult Evaluate(TimeSpan maxLag)
    {
        string? problem = null;
        if (!IsYes(SqlRunning)) problem = Describe("SQL thread stopped", LastSqlErrno, LastSqlError);
        if (!IsYes(IoRunning))
        {
            // "Connecting" is how a replica looks while its primary is unreachable or refuses it.
            var io = string.Equals(IoRunning, "No", StringComparison.OrdinalIgnoreCase)
                ? "IO thread stopped"
                : "IO thread " + IoRunning;
            io = Describe(io, LastIoErrno, LastIoError);
            problem = problem is null ? io : problem + "; " + io;
        }
        if (problem is not null) return new ProbeResult(false, problem);
        if (SecondsBehind is not { } lag) return new ProbeResult(false, "lag unknown (Seconds_Behind_Master NULL)");
        if (lag > maxLag.TotalSeconds)
            return new ProbeResult(false, $"lag {lag}s > {FormatSeconds(maxLag)}s");
        return new ProbeResult(true, $"replicating, lag {lag}s");
    }

    /// <summary>Reads the current row of a replica status result; MySQL and MariaDB spellings both work.</summary>
    public static MySqlReplicaStatus Read(DbDataReader row)
    {
        var columns = new Dictionary<string, int>(row.FieldCount, StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < row.FieldCount; i++) columns.TryAdd(row.GetName(i), i);

        return new MySqlReplicaStatus(
            IoRunning: Text(row, columns, "Slave_IO_Running", "Replica_IO_Running") ?? "unknown",
            SqlRunning: Text(row, columns, "Slave_SQL_Running", "Replica_SQL_Running") ?? "unknown",
            SecondsBehind: Number(row, columns, "Seconds_Behind_Master", "Seconds_Behind_Source"),
            LastIoErrno: (int)(Number(row, columns, "Last_IO_Errno", "Last_IO_Errno") ?? 0),
            LastIoError: Text(row, columns, "Last_IO_Error", "Last_IO_Error"),
            LastSqlErrno: (int)(Number(row, columns, "Last_SQL_Errno", "Last_SQL_Errno") ?? 0),
            LastSqlError: Text(row, columns, "Last_SQL_Error", "Last_SQL_Error"));
    }

    private static bool IsYes(string value) => string.Equals(value, "Yes", StringComparison.OrdinalIgnoreCase);

    private static string Describe(string what, int errno, string? error)
    {
        if (errno == 0 && string.IsNullOrEmpty(error)) return what;
        var text = error ?? "";
        if (text.Length > MaxErrorLength) text = string.Concat(text.AsSpan(0, MaxErrorLength), "…");
        return errno == 0 ? $"{what}: {text}" : $"{what}: error {errno}: {text}";
    }

    private static string FormatSeconds(TimeSpan t) => t.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);

    private static object? Value(DbDataReader row, Dictionary<string, int> columns, string name, string otherName)
    {
        if (!columns.TryGetValue(name, out var i) && !columns.TryGetValue(otherName, out i)) return null;
        return row.IsDBNull(i) ? null : row.GetValue(i);
    }

    private static string? Text(DbDataReader row, Dictionary<string, int> columns, string name, string otherName) =>
        Value(row, columns, name, otherName) switch
        {
            null => null,
            byte[] bytes => System.Text.Encoding.UTF8.GetString(bytes),
            var v => Convert.ToString(v, CultureInfo.InvariantCulture),
        };

    private static long? Number(DbDataReader row, Dictionary<string, int> columns, string name, string otherName)
    {
        var text = Text(row, columns, name, otherName);
        return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;
    }
}
