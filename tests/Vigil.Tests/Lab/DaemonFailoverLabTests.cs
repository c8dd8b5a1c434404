using System.Diagnostics;
using System.Text.Json;
using Xunit.Abstractions;

namespace Vigil.Tests.Lab;

/// <summary>
/// The real daemon, as operators run it: two `vigil run -c FILE` processes in network namespaces doing
/// VRRP over raw IP protocol 112 on eth0, each proxying the virtual address 10.77.0.50:80 to an origin
/// in its own namespace, and a client namespace asking the virtual address through a bridge.
/// </summary>
[Collection("lab")]
public sealed class DaemonFailoverLabTests : IDisposable
{
    private const string Vip = "10.77.0.50";
    private const string Url = $"http://{Vip}/";
    private const int AdvertMs = 100;
    private const string Lb1Mac = "02:77:00:00:01:11";
    private const string Lb2Mac = "02:77:00:00:01:12";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly ITestOutputHelper _output;
    private readonly string _directory = Directory.CreateTempSubdirectory("vigil-lab-").FullName;
    private readonly List<LabProcess> _processes = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private NetnsLab? _lab;

    public DaemonFailoverLabTests(ITestOutputHelper output) => _output = output;

    /// <summary>RFC 9568 §6.1: Master_Down_Interval = 3 × Master_Adver_Interval + Skew_Time, Skew_Time = (256 − priority) × interval / 256.</summary>
    private static TimeSpan MasterDownInterval(int priority) => TimeSpan.FromMilliseconds(3 * AdvertMs + (256 - priority) * AdvertMs / 256.0);

    [LabFact]
    public async Task KillRestartAndStopTheMasterDaemonKeepTheVirtualAddressAnswering()
    {
        _lab = new NetnsLab(
            ("lb1", "10.77.0.11/24", Lb1Mac),
            ("lb2", "10.77.0.12/24", Lb2Mac),
            ("client", "10.77.0.100/24", "02:77:00:00:01:99"));
        foreach (var lb in (string[])["lb1", "lb2"])
        {
            // The backup's listener binds the virtual address it does not hold yet, as a deployed pair needs (issue 4).
            Exec(lb, "sysctl", "-qw", "net.ipv4.ip_nonlocal_bind=1");
            StartOrigin(lb);
        }
        var lb1 = StartVigil("lb1", 150);
        StartVigil("lb2", 100);

        // 1. The higher priority wins: lb1 is master, holds the address, and the client is answered by it.
        await Eventually("lb1 master holding the VIP, lb2 backup", Patience,
            () => State("lb1") == "master" && State("lb2") == "backup" && HoldsVip("lb1") && !HoldsVip("lb2"));
        await Eventually("the client answered by lb1", TimeSpan.FromSeconds(5), () => ClientGet()?.Contains("origin lb1", StringComparison.Ordinal) == true);

        var lb2Transitions = Counter("lb2", "transitions");
        using var wire = new WireCapture(_lab, "client");
        await Eventually("tcpdump listening in the client namespace", TimeSpan.FromSeconds(5), () => wire.Listening);

        // 2. SIGKILL of the master: no priority 0, the address stays on lb1's dead interface. lb2 takes over
        //    when its Master_Down_Interval runs out, and its gratuitous ARPs move the client.
        using (var probe = new ClientProbe(_lab, "client", Url, _clock))
        {
            await Eventually("the probe answered by lb1", TimeSpan.FromSeconds(5), () => probe.AnsweredSince(TimeSpan.Zero, "origin lb1"));
            // tcpdump reports "listening" a moment before it delivers packets: see lb1's adverts first.
            await Eventually("lb1's adverts captured on the wire", TimeSpan.FromSeconds(5), () => wire.Events.Any(e => e.Mac == Lb1Mac && !e.IsGarp));
            var killedAt = _clock.Elapsed;
            var killedUnix = WireCapture.UnixNow;
            lb1.Kill();
            var takeover = await Eventually("lb2 holding the VIP after lb1's SIGKILL", TimeSpan.FromSeconds(5), () => HoldsVip("lb2"));
            await Eventually("the client answered by lb2", TimeSpan.FromSeconds(5), () => probe.AnsweredSince(killedAt, "origin lb2"));
            await Task.Delay(300);
            probe.Dispose();
            var (gap, failures, requests) = probe.LongestGap();
            // On the wire: lb1's last advert, then lb2's first advert and first gratuitous ARP as master.
            var firstLb2 = await OnWire(wire, "lb2's first advert after the kill", e => e.Mac == Lb2Mac && !e.IsGarp && e.At > killedUnix);
            var firstLb2Garp = await OnWire(wire, "lb2's first gratuitous ARP after the kill", e => e.Mac == Lb2Mac && e.IsGarp && e.At > killedUnix);
            var lastLb1 = wire.Events.Last(e => e.Mac == Lb1Mac && !e.IsGarp && e.At < firstLb2.At);
            Report($"SIGKILL on the wire: lb1's last advert -> lb2's first advert {Ms(firstLb2.At - lastLb1.At)} ms, -> lb2's first gratuitous ARP {Ms(firstLb2Garp.At - lastLb1.At)} ms");
            // RFC 9568 §6.4.2: a backup declares the master down only after Master_Down_Interval of silence.
            Assert.True(firstLb2.At - lastLb1.At >= 3 * AdvertMs / 1000.0, $"lb2 took over after only {Ms(firstLb2.At - lastLb1.At)} ms of silence");
            Assert.Equal(100, firstLb2.Priority);
            Report($"SIGKILL of the master: lb2 held the VIP (polled with ip) {takeover.TotalMilliseconds:F0} ms after the kill (Master_Down_Interval {MasterDownInterval(100).TotalMilliseconds:F0} ms); " +
                $"first answer from lb2 {(probe.FirstAnswerSince(killedAt, "origin lb2") - killedAt).TotalMilliseconds:F0} ms after the kill; " +
                $"longest client gap {gap.TotalMilliseconds:F0} ms of {requests} requests, failures: {failures}; lb2 state transitions while lb1 was alive: {lb2Transitions}");
            Assert.Equal("master", State("lb2"));
            // lb2's gratuitous ARPs moved the client's entry (RFC 9568 §6.4.2) ...
            Assert.Equal(Lb2Mac, NeighborMac("client", Vip));
            // ... while the dead daemon's address is still on lb1's interface: nothing can remove it after a SIGKILL.
            Assert.Contains(Vip + "/24", _lab.Addresses("lb1"));
            // A bounded wait, not a benchmark: the margin covers polling with `ip` on a loaded CI machine.
            Assert.True(takeover < MasterDownInterval(100) + TimeSpan.FromSeconds(2), $"takeover took {takeover.TotalMilliseconds:F0} ms");
            Assert.True(failures != "none", "the probe saw no outage at all: it cannot have measured the failover");
        }

        // 3. lb1 comes back: it removes the address its crash left behind, preempts (preempt defaults to
        //    true) and lb2 releases the address; the client keeps being answered.
        using (var probe = new ClientProbe(_lab, "client", Url, _clock))
        {
            await Eventually("the probe answered by lb2", TimeSpan.FromSeconds(5), () => probe.AnsweredSince(TimeSpan.Zero, "origin lb2"));
            var restartedUnix = WireCapture.UnixNow;
            lb1 = StartVigil("lb1", 150);
            var preempted = await Eventually("lb1 master again and lb2 backup without the VIP", Patience,
                () => State("lb1") == "master" && State("lb2") == "backup" && HoldsVip("lb1") && !HoldsVip("lb2"));
            var preemptedAt = _clock.Elapsed;
            // The restarted daemon removed the address its crash left behind, then took it again as master.
            await Eventually("the client's ARP entry back on lb1", TimeSpan.FromSeconds(5), () => NeighborMac("client", Vip) == Lb1Mac);
            await Eventually("the client answered by lb1 after preemption", TimeSpan.FromSeconds(5), () => probe.AnsweredSince(preemptedAt, "origin lb1"));
            await Task.Delay(300);
            probe.Dispose();
            var (gap, failures, requests) = probe.LongestGap();
            Report($"restart of lb1 (preempt): master again {preempted.TotalMilliseconds:F0} ms after the process start; " +
                $"longest client gap {gap.TotalMilliseconds:F0} ms of {requests} requests, failures: {failures}");
            var lb1Takes = await OnWire(wire, "restarted lb1's first advert", e => e.Mac == Lb1Mac && !e.IsGarp && e.At > restartedUnix);
            var lb1Garp = await OnWire(wire, "restarted lb1's first gratuitous ARP", e => e.Mac == Lb1Mac && e.IsGarp && e.At > restartedUnix);
            var lb2StepsDown = wire.Events.LastOrDefault(e => e.Mac == Lb2Mac && !e.IsGarp && e.At >= lb1Takes.At);
            Report($"preemption on the wire: lb1's first advert -> its first gratuitous ARP {Ms(lb1Garp.At - lb1Takes.At)} ms" +
                (lb2StepsDown.Mac is null ? "" : $"; lb2's last advert (stepping down) {Ms(lb2StepsDown.At - lb1Takes.At)} ms after lb1's first"));
            Assert.Equal(150, lb1Takes.Priority);
        }

        // 4. SIGTERM of the master: it sends priority 0 (RFC 9568 §6.4.3), releases its addresses and exits;
        //    lb2 takes over after Skew_Time instead of a whole Master_Down_Interval.
        using (var probe = new ClientProbe(_lab, "client", Url, _clock))
        {
            await Eventually("the probe answered by lb1", TimeSpan.FromSeconds(5), () => probe.AnsweredSince(TimeSpan.Zero, "origin lb1"));
            var termAt = _clock.Elapsed;
            var termUnix = WireCapture.UnixNow;
            lb1.Terminate();
            var resigned = await Eventually("lb2 holding the VIP after lb1's SIGTERM", TimeSpan.FromSeconds(5), () => HoldsVip("lb2"));
            using (var exit = new CancellationTokenSource(TimeSpan.FromSeconds(15)))
            {
                await lb1.WaitForExitAsync(exit.Token);
            }
            var exited = _clock.Elapsed - termAt;
            await Eventually("the client answered by lb2 after the SIGTERM", TimeSpan.FromSeconds(5), () => probe.AnsweredSince(termAt, "origin lb2"));
            await Task.Delay(300);
            probe.Dispose();
            var (gap, failures, requests) = probe.LongestGap();
            Report($"SIGTERM of the master: lb2 held the VIP (polled with ip) {resigned.TotalMilliseconds:F0} ms after the signal (Skew_Time {MasterDownInterval(100).TotalMilliseconds - 3 * AdvertMs:F0} ms), " +
                $"lb1 exited after {exited.TotalMilliseconds:F0} ms with code {lb1.ExitCode}; " +
                $"first answer from lb2 {(probe.FirstAnswerSince(termAt, "origin lb2") - termAt).TotalMilliseconds:F0} ms after the signal; longest client gap {gap.TotalMilliseconds:F0} ms of {requests} requests, failures: {failures}");
            // RFC 9568 §6.4.3: the resigning master sends priority 0; the backup waits Skew_Time, not Master_Down_Interval.
            var resign = await OnWire(wire, "lb1's priority-0 advert", e => e.Mac == Lb1Mac && !e.IsGarp && e.At > termUnix && e.Priority == 0);
            var lb2Takes = await OnWire(wire, "lb2's first advert after the priority-0 one", e => e.Mac == Lb2Mac && !e.IsGarp && e.At > resign.At);
            var lb2Garp = await OnWire(wire, "lb2's first gratuitous ARP after the priority-0 advert", e => e.Mac == Lb2Mac && e.IsGarp && e.At > resign.At);
            Report($"SIGTERM on the wire: lb1's priority-0 advert -> lb2's first advert {Ms(lb2Takes.At - resign.At)} ms, -> lb2's first gratuitous ARP {Ms(lb2Garp.At - resign.At)} ms " +
                "(new connections sent in this window reach lb1, which no longer holds the address)");
            Assert.True(lb2Takes.At - resign.At < MasterDownInterval(100).TotalSeconds, $"lb2 waited {Ms(lb2Takes.At - resign.At)} ms after the priority-0 advert");
            Assert.Equal(0, lb1.ExitCode);
            Assert.DoesNotContain(Vip + "/24", _lab.Addresses("lb1"));
            Assert.Contains("10.77.0.11/24", _lab.Addresses("lb1"));
            Assert.Equal("master", State("lb2"));
            Assert.Contains("origin lb2", ClientGet());
            // Every advert lb2 saw came from a well-configured peer: none may have been dropped as invalid.
            var (received, drops) = (Counter("lb2", "adverts_received"), Counter("lb2", "drops"));
            Report($"lb2 counters: {received} adverts received, {drops} dropped");
            Assert.True(received > 0);
            Assert.Equal(0, drops);
        }
    }

    /// <summary>The first captured event matching <paramref name="match"/>, waiting (bounded) for tcpdump's output to arrive.</summary>
    private static async Task<WireEvent> OnWire(WireCapture wire, string what, Func<WireEvent, bool> match)
    {
        for (var i = 0; i < 150; i++)
        {
            foreach (var e in wire.Events)
            {
                if (match(e)) return e;
            }
            await Task.Delay(20);
        }
        Assert.Fail($"not seen on the wire within 3 s: {what}; captured: {string.Join("; ", wire.Events.TakeLast(20))}");
        return default;
    }

    private static string Ms(double seconds) => (seconds * 1000).ToString("F0", System.Globalization.CultureInfo.InvariantCulture);

    private void Exec(string host, params string[] command)
    {
        var (exitCode, output) = _lab!.Exec(host, command);
        if (exitCode != 0) throw new InvalidOperationException($"{host}: {string.Join(' ', command)}: exit {exitCode}: {output}");
    }

    /// <summary>A plain origin on the node's loopback, answering "origin lbN" so the client sees which node served it.</summary>
    private void StartOrigin(string host)
    {
        var root = Directory.CreateDirectory(Path.Combine(_directory, "origin-" + host)).FullName;
        File.WriteAllText(Path.Combine(root, "index.html"), $"origin {host}\n");
        _processes.Add(new LabProcess("origin " + host, _lab!.Ns(host), "/usr/bin/python3", "-m", "http.server", "8081", "--bind", "127.0.0.1", "--directory", root));
    }

    private LabProcess StartVigil(string host, int priority)
    {
        var config = Path.Combine(_directory, host + ".yaml");
        File.WriteAllText(config, $$"""
            node: { name: {{host}} }
            admin: { listen: 127.0.0.1:9090 }
            pools:
              web:
                backends: [ { address: 127.0.0.1:8081 } ]
            listeners:
              - name: www
                protocol: http
                listen: {{Vip}}:80
                routes:
                  - { match: { path_prefix: / }, pool: web }
            vrrp:
              - name: front
                interface: eth0
                vrid: 51
                priority: {{priority}}
                advert_interval: {{AdvertMs}}ms
                virtual_addresses: [ {{Vip}}/24 ]
                address_mode: netlink
            """);
        // vigil.dll is built next to this assembly through the project reference to src/Vigil.
        var vigil = Path.Combine(AppContext.BaseDirectory, "vigil.dll");
        var dotnet = Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";
        var process = new LabProcess("vigil " + host, _lab!.Ns(host), dotnet, vigil, "run", "-c", config);
        _processes.Add(process);
        return process;
    }

    private bool HoldsVip(string host) => _lab!.Addresses(host).Contains(Vip + "/24");

    /// <summary>The node's VRRP state from its own admin API (inside its namespace), or null while it does not answer (or has no instance yet).</summary>
    private string? State(string host) => Vrrp(host) is { } vrrp ? vrrp.GetProperty("state").GetString() : null;

    /// <summary>A counter of the node's VRRP instance from its admin API, or -1 while it does not answer.</summary>
    private long Counter(string host, string name) => Vrrp(host) is { } vrrp ? vrrp.GetProperty(name).GetInt64() : -1;

    private JsonElement? Vrrp(string host)
    {
        var (exitCode, output) = _lab!.Exec(host, "curl", "-s", "--max-time", "1", "http://127.0.0.1:9090/api/status");
        if (exitCode != 0) return null;
        try
        {
            using var status = JsonDocument.Parse(output);
            // A starting daemon serves its admin API a moment before its VRRP instance is up: not answering yet.
            var instances = status.RootElement.GetProperty("vrrp");
            return instances.GetArrayLength() == 0 ? null : instances[0].Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The host's ARP entry for an address ("" when none).</summary>
    private string NeighborMac(string host, string address)
    {
        var output = NetnsLab.Ip("-n", _lab!.Ns(host), "neigh", "show", address, "dev", "eth0");
        var at = output.IndexOf("lladdr ", StringComparison.Ordinal);
        return at < 0 ? "" : output[(at + 7)..].Split(' ', 2)[0];
    }

    private string? ClientGet()
    {
        var (exitCode, output) = _lab!.Exec("client", "curl", "-s", "--max-time", "2", Url);
        return exitCode == 0 ? output : null;
    }

    /// <summary>Polls until <paramref name="condition"/> holds; returns how long it took, fails with the daemons' logs after <paramref name="timeout"/>.</summary>
    private async Task<TimeSpan> Eventually(string what, TimeSpan timeout, Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (condition()) return clock.Elapsed;
            await Task.Delay(20);
        }
        Assert.Fail($"timed out after {timeout.TotalSeconds:F0} s waiting for: {what}\n" +
            $"lb1 addresses: {string.Join(", ", _lab!.Addresses("lb1"))}; lb2 addresses: {string.Join(", ", _lab.Addresses("lb2"))}; " +
            $"lb1 state {State("lb1") ?? "-"}, lb2 state {State("lb2") ?? "-"}");
        return clock.Elapsed;
    }

    private void Report(string line)
    {
        _output.WriteLine(line);
        Console.WriteLine(line);
    }

    public void Dispose()
    {
        // Processes first: a namespace with a process inside outlives `ip netns del`.
        foreach (var process in _processes)
        {
            try
            {
                process.Dispose();
                if (process.Label.StartsWith("vigil", StringComparison.Ordinal))
                {
                    _output.WriteLine($"--- {process.Label} (pid {process.Id}) log ---");
                    _output.WriteLine(process.Log);
                }
            }
            catch (Exception ex)
            {
                _output.WriteLine($"{process.Label}: {ex.Message}");
            }
        }
        _lab?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
