using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Vigil.Vrrp.Transport;

namespace Vigil.Vrrp.Tests.Lab;

/// <summary>
/// Samples, on its own thread every few milliseconds, which lab hosts hold an IPv4 address on any interface,
/// to measure how long two routers hold the VIP at once. Each sample is one rtnetlink address dump
/// (RTM_GETADDR) per namespace on a socket opened inside it: spawning <c>ip</c> three times per sample would
/// take longer than the sampling period on a loaded machine.
/// </summary>
internal sealed class VipWatch : IDisposable
{
    private const int MaxSamples = 20_000;
    private const ushort RtmGetAddr = 22;
    private const ushort RtmNewAddr = 20;
    private const ushort NlmsgDone = 3;
    private const ushort NlmsgError = 2;
    private const ushort NlmFRequestDump = 0x1 | 0x300;
    private const ushort IfaLocal = 2;

    private readonly Socket[] _sockets;
    private readonly byte[] _address;
    private readonly TimeSpan _period;
    private readonly Sample[] _samples = new Sample[MaxSamples];
    private readonly byte[] _buffer = new byte[32768];
    private readonly Thread _thread;
    private volatile bool _stop;
    private int _count;
    private uint _sequence;

    /// <summary>One sample: when its reads started and ended (Stopwatch ticks), and a bit per host that held the address.</summary>
    public readonly record struct Sample(long Start, long End, int Holders);

    public VipWatch(NetnsLab lab, IPAddress address, TimeSpan period, params string[] hosts)
    {
        Hosts = hosts;
        _address = address.GetAddressBytes();
        _period = period;
        _sockets = hosts.Select(h => NetworkNamespace.Run(lab.Ns(h),
            OpenNetlink)).ToArray();
        _thread = new Thread(Run) { IsBackground = true, Name = "vip-watch", Priority = ThreadPriority.AboveNormal };
        _thread.Start();
    }

    public IReadOnlyList<string> Hosts { get; }

    public static long Now => Stopwatch.GetTimestamp();

    /// <summary>The bit of a host in <see cref="Sample.Holders"/>.</summary>
    public int Bit(string host) => 1 << Hosts.ToList().IndexOf(host);

    /// <summary>
    /// Whether a host holds the address now: waits (bounded) for a sample that began after the call, so an
    /// action just taken is seen, without spawning <c>ip</c> while the sampler runs.
    /// </summary>
    public bool Holds(string host)
    {
        var asked = Now;
        var deadline = asked + Stopwatch.Frequency; // 1 s
        while (Now < deadline)
        {
            var n = Volatile.Read(ref _count);
            if (n > 0 && _samples[n - 1].Start > asked)
            {
                return (_samples[n - 1].Holders & Bit(host)) != 0;
            }
            Thread.Sleep(1);
        }
        throw new InvalidOperationException("the sampler has stopped");
    }

    /// <summary>The samples taken between two <see cref="Now"/> readings.</summary>
    public Sample[] Between(long from, long to)
    {
        var n = Volatile.Read(ref _count);
        return _samples.AsSpan(0, n).ToArray().Where(s => s.Start >= from && s.End <= to).ToArray();
    }

    /// <summary>
    /// The episodes, between two <see cref="Now"/> readings, in which two or more of the hosts in <paramref name="mask"/>
    /// held the address: each from the start of the first sample that saw two holders to the end of the last one.
    /// </summary>
    public OverlapReport Overlaps(long from, long to, int mask) => Stretches(from, to, mask, holders => holders >= 2);

    /// <summary>The stretches, between two <see cref="Now"/> readings, in which none of the hosts in <paramref name="mask"/> held the address.</summary>
    public OverlapReport Vacancies(long from, long to, int mask) => Stretches(from, to, mask, holders => holders == 0);

    private OverlapReport Stretches(long from, long to, int mask, Func<int, bool> counts)
    {
        var samples = Between(from, to);
        var episodes = new List<OverlapEpisode>();
        int? first = null;
        var last = 0;
        for (var i = 0; i < samples.Length; i++)
        {
            if (counts(int.PopCount(samples[i].Holders & mask)))
            {
                first ??= i;
                last = i;
            }
            else if (first is { } f)
            {
                episodes.Add(Episode(samples, f, last));
                first = null;
            }
        }
        if (first is { } open)
        {
            episodes.Add(Episode(samples, open, last));
        }
        var maxGap = TimeSpan.Zero;
        var maxRead = TimeSpan.Zero;
        for (var i = 0; i < samples.Length; i++)
        {
            maxRead = Max(maxRead, Stopwatch.GetElapsedTime(samples[i].Start, samples[i].End));
            if (i > 0)
            {
                maxGap = Max(maxGap, Stopwatch.GetElapsedTime(samples[i - 1].Start, samples[i].Start));
            }
        }
        return new OverlapReport(samples.Length, episodes, maxGap, maxRead);
    }

    // Seen: from the first sample that saw two holders to the end of the last one (the overlap surely lasted about
    // that long). Bound: from the end of the clean sample before to the start of the clean sample after (it cannot
    // have lasted longer, give or take one sample's read time).
    private static OverlapEpisode Episode(Sample[] samples, int first, int last) => new(
        Stopwatch.GetElapsedTime(samples[first].Start, samples[last].End),
        Stopwatch.GetElapsedTime(first > 0 ? samples[first - 1].End : samples[first].Start,
            last + 1 < samples.Length ? samples[last + 1].Start : samples[last].End));

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private void Run()
    {
        while (!_stop && _count < MaxSamples)
        {
            var start = Now;
            var holders = 0;
            for (var i = 0; i < _sockets.Length; i++)
            {
                try
                {
                    if (Holds(_sockets[i]))
                    {
                        holders |= 1 << i;
                    }
                }
                catch (ObjectDisposedException)
                {
                    return;
                }
            }
            _samples[_count] = new Sample(start, Now, holders);
            Volatile.Write(ref _count, _count + 1);
            Thread.Sleep(_period);
        }
    }

    // One RTM_GETADDR dump of the IPv4 addresses; true when one of them is ours.
    private bool Holds(Socket socket)
    {
        var seq = ++_sequence;
        Span<byte> request = stackalloc byte[24]; // nlmsghdr + ifaddrmsg
        request.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(request, 24);
        BinaryPrimitives.WriteUInt16LittleEndian(request[4..], RtmGetAddr);
        BinaryPrimitives.WriteUInt16LittleEndian(request[6..], NlmFRequestDump);
        BinaryPrimitives.WriteUInt32LittleEndian(request[8..], seq);
        request[16] = 2; // AF_INET
        socket.Send(request);
        var found = false;
        // Bounded: a dump of a lab namespace's few addresses ends within a couple of reads.
        for (var reads = 0; reads < 64; reads++)
        {
            var n = socket.Receive(_buffer);
            var offset = 0;
            while (offset + 16 <= n)
            {
                var m = _buffer.AsSpan(offset, n - offset);
                var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(m);
                var type = BinaryPrimitives.ReadUInt16LittleEndian(m[4..]);
                if (length < 16 || length > m.Length)
                {
                    break;
                }
                if (BinaryPrimitives.ReadUInt32LittleEndian(m[8..]) == seq)
                {
                    if (type is NlmsgDone or NlmsgError)
                    {
                        return found;
                    }
                    if (type == RtmNewAddr && HasLocal(m[24..length]))
                    {
                        found = true;
                    }
                }
                offset += (length + 3) & ~3;
            }
        }
        throw new InvalidOperationException("netlink address dump did not end");
    }

    private bool HasLocal(ReadOnlySpan<byte> attributes)
    {
        while (attributes.Length >= 4)
        {
            var length = BinaryPrimitives.ReadUInt16LittleEndian(attributes);
            if (length < 4 || length > attributes.Length)
            {
                return false;
            }
            if (BinaryPrimitives.ReadUInt16LittleEndian(attributes[2..]) == IfaLocal && attributes[4..length].SequenceEqual(_address))
            {
                return true;
            }
            var next = (length + 3) & ~3;
            attributes = next >= attributes.Length ? default : attributes[next..];
        }
        return false;
    }

    // .NET's Socket has no AF_NETLINK constructor; open the descriptor and hand it over, as NetlinkAddresses does.
    private static Socket OpenNetlink()
    {
        const int AfNetlink = 16;
        const int SockRawCloexec = 3 | 0x80000;
        const int NetlinkRoute = 0;
        var fd = socket(AfNetlink, SockRawCloexec, NetlinkRoute);
        return fd >= 0 ? new Socket(new SafeSocketHandle(fd, ownsHandle: true)) : throw new SocketException(Marshal.GetLastPInvokeError());
    }

    // DllImport, not LibraryImport: the generated stub needs unsafe code, which this test project does not allow;
    // all-int signatures need no marshalling either way.
#pragma warning disable SYSLIB1054
    [DllImport("libc", SetLastError = true)]
    private static extern int socket(int domain, int type, int protocol);
#pragma warning restore SYSLIB1054

    public void Dispose()
    {
        _stop = true;
        _thread.Join();
        foreach (var s in _sockets)
        {
            s.Dispose();
        }
    }
}

/// <summary>What <see cref="VipWatch.Overlaps"/> saw: the overlap episodes and how well the sampling covered the window.</summary>
internal sealed record OverlapReport(int Samples, IReadOnlyList<OverlapEpisode> Episodes, TimeSpan MaxGap, TimeSpan MaxRead)
{
    /// <summary>The longest overlap surely seen.</summary>
    public TimeSpan LongestSeen => Episodes.Count == 0 ? TimeSpan.Zero : Episodes.Max(e => e.Seen);

    /// <summary>The longest an overlap can have lasted given the samples around it.</summary>
    public TimeSpan LongestBound => Episodes.Count == 0 ? TimeSpan.Zero : Episodes.Max(e => e.Bound);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Episodes.Count} episode(s), longest seen {LongestSeen.TotalMilliseconds:0.0} ms, at most {LongestBound.TotalMilliseconds:0.0} ms " +
        $"[{string.Join(", ", Episodes.Select(e => string.Create(CultureInfo.InvariantCulture, $"{e.Seen.TotalMilliseconds:0.0}..{e.Bound.TotalMilliseconds:0.0}")))}] " +
        $"in {Samples} samples, max gap {MaxGap.TotalMilliseconds:0.0} ms, max sample read {MaxRead.TotalMilliseconds:0.00} ms");
}

/// <summary>One stretch of two holders: how long it was surely seen, and the most it can have lasted.</summary>
internal readonly record struct OverlapEpisode(TimeSpan Seen, TimeSpan Bound);
