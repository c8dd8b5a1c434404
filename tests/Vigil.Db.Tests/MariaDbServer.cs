using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MySqlConnector;

namespace Vigil.Db.Tests;

/// <summary>
/// One mariadbd process from Debian's mariadb-server, started on a free loopback port with its own
/// data directory, socket and server_id. Root logs in over the Unix socket only (skip-name-resolve
/// makes root@localhost unreachable over TCP), so every TCP login in the tests is a real user.
/// </summary>
public sealed class MariaDbServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private Process? _process;

    private MariaDbServer(string name, string directory, int serverId)
    {
        Name = name;
        Directory = directory;
        ServerId = serverId;
    }

    public string Name { get; }
    public string Directory { get; }
    public int ServerId { get; }
    public int Port { get; private set; }
    public IPEndPoint EndPoint => new(IPAddress.Loopback, Port);
    public string Address => $"127.0.0.1:{Port}";

    /// <summary>This server as a pool backend.</summary>
    public Vigil.Balancing.BackendOptions AsBackend(bool backup = false) => new(Address, EndPoint, Backup: backup);
    public string SocketPath => Path.Combine(Directory, "mysqld.sock");
    public string ErrorLog => Path.Combine(Directory, "error.log");

    /// <summary>Flags that make a throwaway server start in about a second and stay small.</summary>
    public static IEnumerable<string> SmallServerFlags =>
    [
        "--skip-name-resolve",
        "--innodb-buffer-pool-size=16M",
        "--innodb-log-file-size=8M",
        "--innodb-log-buffer-size=1M",
        "--innodb-doublewrite=0",
        "--innodb-flush-log-at-trx-commit=2",
        "--innodb-flush-method=nosync",
        "--performance-schema=OFF",
        "--skip-external-locking",
        "--key-buffer-size=1M",
        "--aria-pagecache-buffer-size=1M",
    ];

    /// <summary>Copies <paramref name="template"/> (a fresh mariadb-install-db output) and starts a server on it.</summary>
    public static async Task<MariaDbServer> StartAsync(
        string name, string root, string template, int serverId, IEnumerable<string> extraFlags, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(root, name);
        CopyDirectory(template, Path.Combine(directory, "data"));
        var server = new MariaDbServer(name, directory, serverId);
        // A free port found by binding :0 can be taken by someone else before mariadbd binds it; try a few.
        for (var attempt = 1; ; attempt++)
        {
            server.Port = FreePort();
            try
            {
                await server.RunAsync(extraFlags, cancellationToken);
                return server;
            }
            catch (InvalidOperationException) when (attempt < 3 && File.Exists(server.ErrorLog)
                && File.ReadAllText(server.ErrorLog).Contains("Address already in use", StringComparison.Ordinal))
            {
                await server.DisposeAsync();
            }
        }
    }

    /// <summary>Opens a root session over the Unix socket.</summary>
    public async Task<MySqlConnection> OpenRootAsync(CancellationToken cancellationToken = default)
    {
        var connection = new MySqlConnection(new MySqlConnectionStringBuilder
        {
            Server = SocketPath,
            ConnectionProtocol = MySqlConnectionProtocol.UnixSocket,
            UserID = "root",
            Pooling = false,
            ConnectionTimeout = 5,
            DefaultCommandTimeout = 30,
        }.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    /// <summary>Runs statements as root.</summary>
    public async Task ExecuteAsync(string sql, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenRootAsync(cancellationToken);
        await using var command = new MySqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Runs a query as root and returns the first column of the first row.</summary>
    public async Task<object?> ScalarAsync(string sql, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenRootAsync(cancellationToken);
        await using var command = new MySqlCommand(sql, connection);
        var value = await command.ExecuteScalarAsync(cancellationToken);
        return value is DBNull ? null : value;
    }

    /// <summary>Opens a session over TCP as an ordinary user, the way an application (or Vigil) reaches the server.</summary>
    public Task<MySqlConnection> OpenAsync(string user, string password, CancellationToken cancellationToken = default) =>
        OpenAsync(EndPoint, user, password, cancellationToken);

    /// <summary>Opens a session over TCP to any endpoint: a server, or a Vigil listener in front of servers.</summary>
    public static async Task<MySqlConnection> OpenAsync(IPEndPoint endPoint, string user, string password, CancellationToken cancellationToken = default)
    {
        var connection = new MySqlConnection(new MySqlConnectionStringBuilder
        {
            Server = endPoint.Address.ToString(),
            Port = (uint)endPoint.Port,
            UserID = user,
            Password = password,
            Database = "vigil",
            Pooling = false,
            SslMode = MySqlSslMode.None,
            ConnectionTimeout = 5,
            DefaultCommandTimeout = 30,
        }.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    private async Task RunAsync(IEnumerable<string> extraFlags, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("mariadbd")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // --no-defaults first: the machine's /etc/mysql files must not leak into the test servers.
        start.ArgumentList.Add("--no-defaults");
        if (Environment.UserName == "root") start.ArgumentList.Add("--user=root");
        foreach (var arg in new[]
        {
            $"--datadir={Path.Combine(Directory, "data")}",
            $"--port={Port}",
            "--bind-address=127.0.0.1",
            $"--socket={SocketPath}",
            $"--pid-file={Path.Combine(Directory, "mysqld.pid")}",
            $"--log-error={ErrorLog}",
            $"--tmpdir={Directory}",
            $"--server-id={ServerId}",
        }) start.ArgumentList.Add(arg);
        foreach (var arg in SmallServerFlags.Concat(extraFlags)) start.ArgumentList.Add(arg);

        _process = Process.Start(start) ?? throw new InvalidOperationException("mariadbd did not start");
        // If the test host is stopped (Ctrl+C, a CI timeout's SIGTERM) before the fixture disposes,
        // do not leave servers running on the machine.
        var started = _process;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { if (!started.HasExited) started.Kill(entireProcessTree: true); }
            catch (InvalidOperationException) { }
        };
        // Drain the pipes so a chatty server never blocks on a full pipe; its log goes to error.log.
        _process.OutputDataReceived += static (_, _) => { };
        _process.ErrorDataReceived += static (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_process.HasExited)
                throw new InvalidOperationException($"{Name}: mariadbd exited with {_process.ExitCode}: {Tail(ErrorLog)}");
            if (File.Exists(SocketPath))
            {
                try
                {
                    await using var connection = await OpenRootAsync(cancellationToken);
                    return;
                }
                catch (MySqlException)
                {
                    // Socket file exists before the server accepts logins; keep waiting.
                }
            }
            if (DateTime.UtcNow > deadline)
                throw new InvalidOperationException($"{Name}: mariadbd not ready after {StartTimeout.TotalSeconds}s: {Tail(ErrorLog)}");
            await Task.Delay(50, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is null) return;
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(wait.Token);
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException)
        {
            // Already gone, or refusing to die: nothing more a test can do.
        }
        _process.Dispose();
        _process = null;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void CopyDirectory(string from, string to)
    {
        System.IO.Directory.CreateDirectory(to);
        foreach (var file in System.IO.Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (var dir in System.IO.Directory.GetDirectories(from)) CopyDirectory(dir, Path.Combine(to, Path.GetFileName(dir)));
    }

    private static string Tail(string path)
    {
        if (!File.Exists(path)) return "(no error log)";
        var lines = File.ReadAllLines(path);
        return string.Join(Environment.NewLine, lines.Skip(Math.Max(0, lines.Length - 15)));
    }
}
