using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Vigil.Vrrp.Addresses;
using Vigil.Vrrp.Election;
using Vigil.Vrrp.Packets;
using Vigil.Vrrp.Tracking;
using Vigil.Vrrp.Transport;

namespace Vigil.Vrrp.Tests.Integration;

/// <summary>A VRRP node on loopback over UDP, recording its transitions and its bind signals.</summary>
internal sealed class UdpNode : IAsyncDisposable
{
    public UdpNode(VrrpInstanceOptions options, IPEndPoint local, IPEndPoint[] peers, Vigil.Vrrp.Runtime.VrrpTimerLoop loop, IVrrpTracker? tracker = null)
    {
        Bind = new BindAddressActuator((bound, _) =>
        {
            BindSignals.Enqueue(bound);
            return Task.CompletedTask;
        });
        Instance = new VrrpInstance(options, new UdpVrrpTransport(local, peers), Bind, loop, tracker);
        Instance.StateChanged += (_, e) => Transitions.Enqueue((e.From, e.To, DateTime.UtcNow));
    }


    public VrrpInstance Instance { get; }

    /// <summary>Like SIGKILL: the timers stop and the socket closes, no priority-0 advert.</summary>
    public void Crash() => Instance.Crash();
    public BindAddressActuator Bind { get; }
    public ConcurrentQueue<bool> BindSignals { get; } = new();
    public ConcurrentQueue<(VrrpState From, VrrpState To, DateTime At)> Transitions { get; } = new();

    public VrrpState State => Instance.State;

    /// <summary>State and counters, for assertion messages.</summary>
    public override string ToString()
    {
        var s = Instance.GetStatus();
        var c = Instance.Counters;
        return $"{s.Name}: {s.State} prio {s.EffectivePriority} master {s.MasterAddress}/{s.MasterPriority} sent {c.AdvertsSent} " +
            $"received {c.AdvertsReceived} drops {c.TotalDrops} transitions [{string.Join(", ", Transitions.Select(t => $"{t.From}->{t.To}@{t.At:ss.fff}"))}]";
    }

    public static VrrpInstanceOptions Options(string name, byte priority, bool preempt = true, int intervalMs = 100,
        VrrpChecksumForm form = VrrpChecksumForm.V3PseudoHeader) => new()
    {
        Name = name,
        Vrid = 51,
        Priority = priority,
        AdvertInterval = TimeSpan.FromMilliseconds(intervalMs),
        Preempt = preempt,
        VirtualAddresses = [VirtualAddress.Parse("127.0.0.50/32")],
        Ipv4ChecksumForm = form,
    };

    /// <summary>A UDP port free on both loopback addresses used by a test.</summary>
    public static int FreePort(params IPAddress[] addresses)
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            probe.Bind(new IPEndPoint(addresses[0], 0));
            var port = ((IPEndPoint)probe.LocalEndPoint!).Port;
            var free = true;
            foreach (var a in addresses.Skip(1))
            {
                using var other = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                try
                {
                    other.Bind(new IPEndPoint(a, port));
                }
                catch (SocketException)
                {
                    free = false;
                }
            }
            if (free)
            {
                return port;
            }
        }
        throw new InvalidOperationException("no free port");
    }

    /// <summary>Polls until the condition holds, at most <paramref name="timeout"/>; returns whether it did.</summary>
    public static async Task<bool> WaitFor(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }
            await Task.Delay(5);
        }
        return true;
    }

    public ValueTask DisposeAsync() => Instance.DisposeAsync();
}
