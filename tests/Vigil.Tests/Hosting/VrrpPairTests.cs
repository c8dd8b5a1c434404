using System.Net;
using Microsoft.Extensions.Logging;
using Vigil.Config;
using Vigil.Demo;
using Vigil.Hosting;

namespace Vigil.Tests.Hosting;

/// <summary>
/// Two daemons in one virtual router on loopback (udp transport, bind address mode), as the demo
/// runs them: the master serves the virtual address; when it stops, the backup takes it over; when
/// the master's pool dies, tracking hands over.
/// </summary>
public sealed class VrrpPairTests
{
    [Fact]
    public async Task Backup_takes_the_virtual_address_when_the_master_stops_and_the_master_preempts_on_return()
    {
        await using var pair = await Pair.StartAsync("127.0.0.61");
        Assert.Equal("master", await pair.WaitForStateAsync(pair.A, "master"));
        Assert.Equal("backup", Pair.State(pair.B));
        await pair.AssertVirtualAddressAnswersAsync();

        await pair.A.DisposeAsync();
        Assert.Equal("master", await pair.WaitForStateAsync(pair.B, "master"));
        await pair.AssertVirtualAddressAnswersAsync();

        pair.A = pair.NewNode("lb1");
        await pair.A.StartAsync(CancellationToken.None);
        Assert.Equal("master", await pair.WaitForStateAsync(pair.A, "master"));
        Assert.Equal("backup", await pair.WaitForStateAsync(pair.B, "backup"));
        await pair.AssertVirtualAddressAnswersAsync();
    }

    [Fact]
    public async Task A_master_whose_pool_is_dead_hands_over_through_tracking()
    {
        await using var pair = await Pair.StartAsync("127.0.0.62");
        Assert.Equal("master", await pair.WaitForStateAsync(pair.A, "master"));
        foreach (var b in pair.A.Current.Pools["web"].Backends) pair.A.SetBackendState("web", b.Address, Balancing.AdminState.Disabled);
        Assert.Equal("master", await pair.WaitForStateAsync(pair.B, "master"));
        // A steps down when it hears B's first advert.
        Assert.Equal("backup", await pair.WaitForStateAsync(pair.A, "backup"));
        var status = pair.A.BuildStatus().Vrrp.Single();
        Assert.Equal(50, status.EffectivePriority); // 150 - 100 while every backend is out
        await pair.AssertVirtualAddressAnswersAsync();
    }

    private sealed class Pair : IAsyncDisposable
    {
        private readonly string _vip;
        private readonly int _vipPort = DaemonFixture.FreePort();
        private readonly int _advertPort = DaemonFixture.FreePort();
        private readonly DemoOrigin[] _origins;
        private readonly ILoggerFactory _logs = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Warning));

        private Pair(string vip, DemoOrigin[] origins)
        {
            _vip = vip;
            _origins = origins;
        }

        public Daemon A { get; set; } = null!;
        public Daemon B { get; private set; } = null!;

        public static async Task<Pair> StartAsync(string vip)
        {
            var origins = Enumerable.Range(0, 2).Select(i => new DemoOrigin($"o{i}", new IPEndPoint(IPAddress.Loopback, DaemonFixture.FreePort()))).ToArray();
            foreach (var o in origins) await o.StartAsync();
            var pair = new Pair(vip, origins);
            pair.A = pair.NewNode("lb1");
            pair.B = pair.NewNode("lb2");
            await pair.A.StartAsync(CancellationToken.None);
            await pair.B.StartAsync(CancellationToken.None);
            return pair;
        }

        public Daemon NewNode(string name)
        {
            var (priority, from, to) = name == "lb1" ? (150, "127.0.0.1", "127.0.0.2") : (100, "127.0.0.2", "127.0.0.1");
            var text = DemoCommand.NodeConfigText(name, priority, $"127.0.0.1:{DaemonFixture.FreePort()}",
                $"{from}:{_advertPort}", $"{to}:{_advertPort}", null, $"{_vip}:{_vipPort}", _origins.Select(o => o.EndPoint.Port).ToArray());
            return Cli.CreateDaemon(() => ConfigLoader.LoadText(text, name + ".yaml"), _logs);
        }

        public static string State(Daemon d) => d.BuildStatus().Vrrp.Single().State;

        public async Task<string> WaitForStateAsync(Daemon d, string wanted)
        {
            for (var i = 0; i < 100 && State(d) != wanted; i++) await Task.Delay(50);
            return State(d);
        }

        public async Task AssertVirtualAddressAnswersAsync()
        {
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            HttpResponseMessage? response = null;
            // The new master binds the address right after its transition: allow it a moment.
            for (var i = 0; i < 40 && response is not { IsSuccessStatusCode: true }; i++)
            {
                // The old master keeps the address for half an advert interval after stepping down
                // (docs/redundancy.md), so its answer may come first: ask again until the new one serves.
                try { response = await client.GetAsync($"http://{_vip}:{_vipPort}/"); }
                catch (HttpRequestException) { }
                if (response is not { IsSuccessStatusCode: true }) await Task.Delay(50);
            }
            Assert.NotNull(response);
            Assert.True(response!.IsSuccessStatusCode);
        }

        public async ValueTask DisposeAsync()
        {
            await B.DisposeAsync();
            await A.DisposeAsync();
            foreach (var o in _origins) await o.DisposeAsync();
            _logs.Dispose();
        }
    }
}
