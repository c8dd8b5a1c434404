using System.Net;
using Microsoft.Extensions.Logging;
using Vigil.Config;
using Vigil.Vrrp;
using Vigil.Vrrp.Addresses;
using Vigil.Vrrp.Runtime;
using Vigil.Vrrp.Transport;

namespace Vigil.Hosting;

/// <summary>
/// The node's VRRP instances: one shared timer thread, each instance with its transport, address
/// actuator and tracking. In <c>address_mode: bind</c> the actuator does not touch interfaces; it tells
/// the daemon to bind (master) or unbind (backup) the listeners on the virtual addresses.
/// </summary>
public sealed class Redundancy : IAsyncDisposable
{
    private readonly VrrpTimerLoop _loop;
    private readonly ILoggerFactory _loggerFactory;
    private readonly Dictionary<string, (VrrpInstanceConfig Config, VrrpInstance Instance, VrrpTracking Tracking)> _instances = new(StringComparer.Ordinal);

    public Redundancy(TimeProvider time, ILoggerFactory loggerFactory)
    {
        _loop = new VrrpTimerLoop(time);
        _loggerFactory = loggerFactory;
    }

    public IEnumerable<VrrpInstance> Instances => _instances.Values.Select(i => i.Instance);

    /// <summary>
    /// Brings the running instances in line with <paramref name="wanted"/>: unchanged ones keep running
    /// (and keep their state), changed and removed ones stop (a master resigns with priority 0), new
    /// ones start.
    /// </summary>
    public async Task ApplyAsync(IReadOnlyList<VrrpInstanceConfig> wanted, Func<Generation> current,
        Func<IReadOnlyList<IPAddress>, bool, CancellationToken, Task> bind, CancellationToken cancellationToken)
    {
        var byName = wanted.ToDictionary(v => v.Name, StringComparer.Ordinal);
        foreach (var (name, running) in _instances.ToArray())
        {
            if (byName.TryGetValue(name, out var config) && config == running.Config) continue;
            await StopAsync(running.Instance, running.Tracking);
            _instances.Remove(name);
        }
        foreach (var config in wanted)
        {
            if (_instances.ContainsKey(config.Name)) continue;
            try
            {
                await StartInstanceAsync(config, current, bind, cancellationToken);
            }
            catch (Exception ex) when (ex is not (OperationCanceledException or StartException))
            {
                // No raw socket without CAP_NET_RAW, no such interface, a UDP port in use...
                throw new StartException($"vrrp {config.Name}", StartException.Reason(ex), ex);
            }
        }
    }

    private async Task StartInstanceAsync(VrrpInstanceConfig config, Func<Generation> current,
        Func<IReadOnlyList<IPAddress>, bool, CancellationToken, Task> bind, CancellationToken cancellationToken)
    {
        var logger = _loggerFactory.CreateLogger("Vigil.Vrrp");
        var tracking = new VrrpTracking(config.Track, current, logger);
        await tracking.StartAsync();
        try
        {
            await StartInstanceAsync(config, tracking, bind, logger, cancellationToken);
        }
        catch
        {
            await tracking.DisposeAsync();
            throw;
        }
    }

    private async Task StartInstanceAsync(VrrpInstanceConfig config, VrrpTracking tracking,
        Func<IReadOnlyList<IPAddress>, bool, CancellationToken, Task> bind, ILogger logger, CancellationToken cancellationToken)
    {
        var vips = config.VirtualAddresses.Select(a => a.Address).ToArray();
        IVirtualAddressActuator addresses = config switch
        {
            { AddressMode: VrrpAddressMode.Bind } => new BindAddressActuator((take, ct) => bind(vips, take, ct)),
            { Vmac: true } => new VmacAddressActuator(config.Interface, config.Options.Vrid, config.VirtualAddresses, config.ToAnnounceOptions(), logger),
            _ => new InterfaceAddressActuator(config.Interface, config.VirtualAddresses, config.ToAnnounceOptions(), logger),
        };
        IVrrpTransport transport = config.Transport == VrrpTransportKind.Udp
            ? new UdpVrrpTransport(config.Udp!.Listen, config.Udp.Peers)
            : new RawVrrpTransport(config.ToRawTransportOptions());
        var instance = new VrrpInstance(config.ToOptions(), transport, addresses, _loop, tracking.Adjustments, logger: logger);
        await instance.StartAsync(cancellationToken);
        _instances[config.Name] = (config, instance, tracking);
    }

    public IReadOnlyList<VrrpStatus> Status() => _instances.Values.Select(i => VrrpStatus.From(i.Instance.GetStatus())).ToArray();

    private static async Task StopAsync(VrrpInstance instance, VrrpTracking tracking)
    {
        await instance.DisposeAsync();
        await tracking.DisposeAsync();
    }

    /// <summary>Stops every instance like keepalived on SIGTERM: masters send priority 0 and release their addresses.</summary>
    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_instances.Values.Select(i => StopAsync(i.Instance, i.Tracking)));
        _instances.Clear();
        _loop.Dispose();
    }
}

/// <summary>One VRRP instance as <c>/api/status</c> shows it.</summary>
public sealed record VrrpStatus(
    string Name, int Vrid, string State, DateTimeOffset Since, int Priority, int EffectivePriority,
    string? MasterAddress, int MasterPriority, double AdvertIntervalMs, double MasterDownIntervalMs,
    long AdvertsSent, long AdvertsReceived, long Drops, long Transitions)
{
    public static VrrpStatus From(VrrpInstanceStatus s) => new(
        s.Name, s.Vrid, s.State.ToString().ToLowerInvariant(), s.StateSince, s.Priority, s.EffectivePriority,
        s.MasterAddress?.ToString(), s.MasterPriority, s.AdvertInterval.TotalMilliseconds, s.MasterDownInterval.TotalMilliseconds,
        s.Counters.AdvertsSent, s.Counters.AdvertsReceived, s.Counters.TotalDrops, s.Counters.Transitions);
}
