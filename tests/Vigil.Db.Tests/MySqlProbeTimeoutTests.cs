using System.Net;
using System.Net.Sockets;
using Vigil.Balancing;
using Vigil.Balancing.Health;

namespace Vigil.Db.Tests;

/// <summary>A server that accepts but never sends its greeting (hung mariadbd, black-holed port): the probe ends at the check's timeout.</summary>
public sealed class MySqlProbeTimeoutTests : IAsyncLifetime
{
    private readonly TcpListener _silent = new(IPAddress.Loopback, 0);
    private readonly List<Socket> _held = [];
    private readonly CancellationTokenSource _stop = new();
    private Task _accepting = Task.CompletedTask;
    private string _passwordFile = "";

    public Task InitializeAsync()
    {
        _passwordFile = Path.GetTempFileName();
        File.WriteAllText(_passwordFile, "whatever\n");
        _silent.Start();
        _accepting = Task.Run(async () =>
        {
            try
            {
                while (true) _held.Add(await _silent.AcceptSocketAsync(_stop.Token));
            }
            catch (OperationCanceledException) { }
        });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        await _accepting;
        _silent.Stop();
        foreach (var s in _held) s.Dispose();
        File.Delete(_passwordFile);
    }

    private IPEndPoint EndPoint => (IPEndPoint)_silent.LocalEndpoint;

    private HealthCheckOptions Check => new()
    {
        Kind = HealthCheckKind.MySql, User = "monitor", PasswordFile = _passwordFile, Role = "primary",
        Interval = TimeSpan.FromMilliseconds(500), Timeout = TimeSpan.FromMilliseconds(300), Rise = 1, Fall = 1,
    };

    [Fact]
    public async Task Probe_honours_cancellation()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            async () => await new MySqlProbe(Check).ProbeAsync(EndPoint, timeout.Token));
    }

    [Fact]
    public async Task Prober_reports_the_timeout()
    {
        var pool = new Pool(new PoolOptions
        {
            Name = "db-hung",
            Backends = [new BackendOptions(EndPoint.ToString(), EndPoint)],
            Health = Check,
        }, TimeProvider.System);
        await using var prober = new HealthProber(pool, new HealthProbeFactory().Create(Check));
        prober.Start();
        var backend = pool.Backends[0];
        var reason = await Eventually.UntilAsync(() => Task.FromResult(backend.Health.Reason), r => !backend.Health.IsUp, TimeSpan.FromSeconds(10));
        Assert.False(backend.Health.IsUp);
        Assert.Equal("timeout after 300ms", reason);
        Assert.Empty(pool.Eligible.ToArray());
    }
}
