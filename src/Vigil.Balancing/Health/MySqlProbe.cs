using System.Net;
using System.Net.Sockets;
using MySqlConnector;

namespace Vigil.Balancing.Health;

/// <summary>
/// Checks a MySQL/MariaDB backend for its role: logs in as the monitor user, then asks whether the
/// server is writable (primary) or replicating within the allowed lag (replica). A login alone is not
/// enough: a demoted primary and a broken replica both accept logins.
/// </summary>
public sealed class MySqlProbe : IHealthProbe
{
    private const string ShowVariables =
        "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('read_only', 'super_read_only', 'innodb_read_only')";

    private readonly string _user;
    private readonly string _passwordFile;
    private readonly TimeSpan _maxLag;
    private readonly bool _fallbackToPrimary;
    private readonly uint _timeoutSeconds;
    // MySQL 8.4 dropped SHOW SLAVE STATUS; remember once it answered with a syntax error.
    private volatile bool _useReplicaSyntax;

    public MySqlProbe(HealthCheckOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrEmpty(options.User)) throw new ArgumentException("a mysql health check needs a user", nameof(options));
        if (string.IsNullOrEmpty(options.PasswordFile)) throw new ArgumentException("a mysql health check needs a password_file", nameof(options));
        if (string.Equals(options.Role, "primary", StringComparison.OrdinalIgnoreCase)) IsPrimaryCheck = true;
        else if (!string.Equals(options.Role, "replica", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"mysql health check role must be primary or replica, not '{options.Role}'", nameof(options));
        _user = options.User;
        _passwordFile = options.PasswordFile;
        _fallbackToPrimary = options.FallbackToPrimary;
        _maxLag = options.MaxLag;
        // MySqlConnector's timeouts are whole seconds; round up so they never cut the check's own timeout short.
        _timeoutSeconds = (uint)Math.Max(1, Math.Ceiling(options.Timeout.TotalSeconds));
    }

    /// <summary>True for <c>role: primary</c> (writable), false for <c>role: replica</c> (replicating within max_lag).</summary>
    public bool IsPrimaryCheck { get; }

    /// <summary>
    /// Probes once. Server answers, refusals and login failures come back as a down result with the
    /// reason; cancellation by <paramref name="cancellationToken"/> (the caller's timeout) throws.
    /// </summary>
    public async ValueTask<ProbeResult> ProbeAsync(IPEndPoint endpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        string password;
        try
        {
            // Read on every probe so a rotated password is picked up without a reload. Never logged.
            password = (await File.ReadAllTextAsync(_passwordFile, cancellationToken).ConfigureAwait(false)).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new ProbeResult(false, "password file unreadable: " + e.Message);
        }

        await using var connection = new MySqlConnection(ConnectionString(endpoint, password));
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return IsPrimaryCheck
                ? await ProbePrimaryAsync(connection, cancellationToken).ConfigureAwait(false)
                : await ProbeReplicaAsync(connection, cancellationToken).ConfigureAwait(false);
        }
        catch (MySqlException e) when (!cancellationToken.IsCancellationRequested)
        {
            return new ProbeResult(false, Describe(e));
        }
        catch (MySqlException e)
        {
            // MySqlConnector may report a cancelled query as "Query execution was interrupted"; the
            // caller cancelled, so say so and let it report its timeout.
            throw new OperationCanceledException("mysql probe cancelled", e, cancellationToken);
        }
        catch (SocketException e) when (!cancellationToken.IsCancellationRequested)
        {
            return new ProbeResult(false, "connect failed: " + e.Message);
        }
    }

    private string ConnectionString(IPEndPoint endpoint, string password)
    {
        var loopback = IPAddress.IsLoopback(endpoint.Address);
        return new MySqlConnectionStringBuilder
        {
            Server = endpoint.Address.ToString(),
            Port = (uint)endpoint.Port,
            UserID = _user,
            Password = password,
            ConnectionTimeout = _timeoutSeconds,
            DefaultCommandTimeout = _timeoutSeconds,
            // A probe is one login and one query every few seconds; a pool would hide a server that
            // stopped accepting logins behind a connection opened long ago.
            Pooling = false,
            // TLS on loopback costs a handshake per probe and protects nothing; elsewhere use it when offered.
            SslMode = loopback ? MySqlSslMode.None : MySqlSslMode.Preferred,
            // Without TLS, MySQL 8's caching_sha2_password needs the server's RSA key; on loopback
            // nobody can stand in between to hand us a false one.
            AllowPublicKeyRetrieval = loopback,
            ApplicationName = "vigil-health",
        }.ConnectionString;
    }

    private static async Task<ProbeResult> ProbePrimaryAsync(MySqlConnection connection, CancellationToken cancellationToken)
    {
        // SHOW VARIABLES lists only the variables the server has, so one query works on MySQL
        // (super_read_only) and MariaDB (none) alike; SELECT @@super_read_only fails on MariaDB.
        await using var command = new MySqlCommand(ShowVariables, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var reported = new Dictionary<string, string?>(3, StringComparer.OrdinalIgnoreCase);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            reported[reader.GetString(0)] = reader.IsDBNull(1) ? null : reader.GetString(1);
        return MySqlWritability.Evaluate(reported);
    }

    private async Task<ProbeResult> ProbeReplicaAsync(MySqlConnection connection, CancellationToken cancellationToken)
    {
        if (!_useReplicaSyntax)
        {
            try
            {
                return await ReadReplicaStatusAsync(connection, "SHOW SLAVE STATUS", cancellationToken).ConfigureAwait(false);
            }
            catch (MySqlException e) when (e.ErrorCode == MySqlErrorCode.ParseError)
            {
                _useReplicaSyntax = true;
            }
        }
        return await ReadReplicaStatusAsync(connection, "SHOW REPLICA STATUS", cancellationToken).ConfigureAwait(false);
    }

    private async Task<ProbeResult> ReadReplicaStatusAsync(MySqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new MySqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) return MySqlReplicaStatus.Read(reader).Evaluate(_maxLag);
        // No row: replication was never configured, or RESET SLAVE ALL after a promotion.
        if (!_fallbackToPrimary) return new ProbeResult(false, "not a replica");
        await reader.DisposeAsync().ConfigureAwait(false);
        // With fallback_to_primary the pool lists the primary (as a backup) beside the replicas; the
        // pool's one probe sees only endpoints, so a server that is no replica is judged as the primary
        // the reads fall back to: up while it is writable, i.e. while it is the primary.
        var primary = await ProbePrimaryAsync(connection, cancellationToken).ConfigureAwait(false);
        return primary.Healthy
            ? new ProbeResult(true, "primary (fallback), writable")
            : new ProbeResult(false, "not a replica; " + primary.Detail);
    }

    private static string Describe(MySqlException e)
    {
        switch (e.ErrorCode)
        {
            case MySqlErrorCode.AccessDenied:
            case MySqlErrorCode.DatabaseAccessDenied:
                // The server's text names the user and host and says "using password: YES"; it never contains the password.
                return "authentication failed: " + e.Message;
            case MySqlErrorCode.SpecifiedAccessDeniedError:
                // MariaDB 10.5+ wants SLAVE MONITOR for SHOW SLAVE STATUS, REPLICATION CLIENT is not enough.
                return "monitor user lacks a privilege: " + e.Message;
            case MySqlErrorCode.UnableToConnectToHost:
                return e.InnerException is SocketException s ? "connect failed: " + s.Message : "connect failed: " + e.Message;
            default:
                return $"error {e.Number}: {e.Message}";
        }
    }
}
