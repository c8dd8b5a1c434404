using System.Buffers.Binary;
using System.Net;
using System.Text;
using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Vigil.Vrrp.Addresses;
using Vigil.Vrrp.Election;
using Vigil.Vrrp.Packets;
using Vigil.Vrrp.Runtime;
using Vigil.Vrrp.Tracking;
using Vigil.Vrrp.Transport;

namespace Vigil.Vrrp;

/// <summary>
/// One virtual router: composes the codec, the election, a transport, the address actuator and tracking.
/// Elections and adverts run on the <see cref="VrrpTimerLoop"/> thread; received packets are decoded on the
/// instance's own receive thread (not the thread pool, so a starved pool cannot delay them into a false
/// takeover) and posted there; address changes and <see cref="StateChanged"/> run in order on the instance's own
/// actuator thread (again not the pool: a starved pool would hold a release back while the new master already
/// holds the addresses), so they never delay an advert, except a takeover's own take and first announcement,
/// which the timer thread does itself when nothing is queued (<see cref="TryTakeInline"/>); notify scripts run
/// after them, in order, off that thread.
/// The instance owns and disposes its transport and its address actuator.
/// </summary>
public sealed class VrrpInstance : ILoopClient, IAsyncDisposable
{
    private readonly VrrpInstanceOptions _options;
    private readonly IVrrpTransport _transport;
    private readonly IVirtualAddressActuator _addresses;
    private readonly IVrrpTracker? _tracker;
    private readonly VrrpTimerLoop _loop;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly VrrpElection _election;
    private readonly AddressBytes _local;
    private readonly AddressBytes[] _destinations;
    private readonly byte[] _ourAddresses;
    private readonly ulong _authData;
    private readonly byte _authType;
    private static readonly TimeSpan ReceivePollInterval = TimeSpan.FromMilliseconds(100);
    private readonly byte[] _sendBuffer = new byte[2048];
    private readonly byte[] _receiveBuffer = new byte[65536];
    private readonly BlockingCollection<ActuatorWork> _actuator = new(new ConcurrentQueue<ActuatorWork>());
    // Held by the address thread while it works; a takeover on the timer thread takes the addresses itself only
    // when it gets this and no work is queued or running, so address changes stay in order (see TryTakeInline).
    private readonly Lock _actuatorGate = new();
    private int _pendingWork;
    private readonly CancellationTokenSource _stopping = new();
    // Cancels the gratuitous-ARP repeats of the current take when we release (timer thread only): otherwise the
    // release waits behind them in the actuator queue, and a router that steps down just after taking over keeps
    // the addresses, and keeps announcing them, for (repeat - 1) × announce interval (200 ms by default), longer
    // than the advert interval (measured in the three-router lab: 180 ms of two holders at 100 ms).
    private CancellationTokenSource? _announcing;
    private Thread? _receiveThread;
    private Thread? _actuatorThread;
    private Task _notifications = Task.CompletedTask;
    private volatile int _state;
    private volatile int _effectivePriority;
    private volatile int _masterPriority;
    private volatile IPAddress? _masterAddress;
    private AddressBytes _masterBytes;
    private long _stateSinceTicks;
    private bool _addressMismatchLogged;
    private int _started;

    // Handover hold (timer thread only): a master that steps down keeps its addresses a little longer so the
    // new master's gratuitous ARP lands before they go; see HoldRelease.
    private TimeSpan? _releaseDue;
    private TimeSpan? _shutdownDeadline;
    private volatile TaskCompletionSource? _handedOver;
    private volatile bool _crashed;

    /// <summary>The longest a stepping-down master keeps its addresses after the new master's first advert.</summary>
    internal static readonly TimeSpan MaxHandoverHold = TimeSpan.FromSeconds(1);

    public VrrpInstance(
        VrrpInstanceOptions options,
        IVrrpTransport transport,
        IVirtualAddressActuator addresses,
        VrrpTimerLoop loop,
        IVrrpTracker? tracker = null,
        TimeProvider? time = null,
        ILogger? logger = null)
    {
        _options = options;
        _transport = transport;
        _addresses = addresses;
        _loop = loop;
        _tracker = tracker;
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _local = AddressBytes.From(transport.LocalAddress);
        _destinations = transport.Destinations.Select(AddressBytes.From).ToArray();
        _ourAddresses = options.VirtualAddresses.SelectMany(a => a.Address.GetAddressBytes()).ToArray();
        if (options.Version == 2 && options.AuthPassword is { } password)
        {
            // RFC 2338 §5.3.6: up to 8 bytes of text, zero-padded.
            var bytes = new byte[8];
            Encoding.ASCII.GetBytes(password.AsSpan(0, Math.Min(password.Length, 8)), bytes);
            _authData = BinaryPrimitives.ReadUInt64BigEndian(bytes);
            _authType = 1;
        }
        _election = new VrrpElection(new ElectionSettings
        {
            Priority = options.Priority,
            AdvertisementInterval = options.Version == 2
                ? TimeSpan.FromSeconds(options.IntervalField)
                : TimeSpan.FromMilliseconds(options.IntervalField * 10),
            Preempt = options.Preempt,
            PreemptDelay = options.PreemptDelay,
            PrimaryAddress = transport.LocalAddress.GetAddressBytes(),
        });
        _effectivePriority = options.Priority;
        _stateSinceTicks = _time.GetUtcNow().UtcTicks;
    }

    public string Name => _options.Name;

    public VrrpInstanceOptions Options => _options;

    public VrrpState State => (VrrpState)_state;

    public byte EffectivePriority => (byte)_effectivePriority;

    public VrrpCounters Counters { get; } = new();

    /// <summary>
    /// Raised, in order, after the addresses were taken for a transition (before they are announced); a master
    /// stepping down raises it at once and releases its addresses after the handover hold.
    /// </summary>
    public event EventHandler<VrrpStateChangedEventArgs>? StateChanged;

    public VrrpInstanceStatus GetStatus() => new(
        _options.Name,
        _options.Vrid,
        State,
        new DateTimeOffset(Interlocked.Read(ref _stateSinceTicks), TimeSpan.Zero),
        _options.Priority,
        EffectivePriority,
        _masterAddress,
        (byte)_masterPriority,
        _election.AdvertisementInterval,
        _election.MasterAdverInterval,
        _election.MasterDownInterval,
        Counters);

    /// <summary>
    /// Starts: clears addresses a crash may have left behind, starts receiving, and enters Backup
    /// (or Master at once for the owner).
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("already started");
        }
        await Task.Run(() =>
        {
            if (JitWarmUp.Run() is { Ticks: > 0 } compiled)
            {
                _logger.LogDebug("vrrp: takeover path compiled ahead in {Milliseconds:0} ms", compiled.TotalMilliseconds);
            }
            _addresses.Release();
        }, cancellationToken).ConfigureAwait(false);
        VrrpMetrics.Register(this);
        _loop.Add(this);
        _actuatorThread = new Thread(RunActuator) { IsBackground = true, Name = $"vigil-vrrp-act-{Name}" };
        _actuatorThread.Start();
        _receiveThread = new Thread(ReceiveLoop) { IsBackground = true, Name = $"vigil-vrrp-rx-{Name}" };
        _receiveThread.Start();
        if (_tracker is not null)
        {
            _tracker.Changed += OnTrackerChanged;
        }
        await PostAndWait(LoopEventKind.Start).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Stops like keepalived on SIGTERM: a master sends a priority-0 advert and releases its addresses, but only
    /// once the new master has had time to announce them (at most Master_Down_Interval when no router answers);
    /// until then it keeps receiving. Cancelling releases at once.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _started, 2) != 1)
        {
            return;
        }
        if (_tracker is not null)
        {
            _tracker.Changed -= OnTrackerChanged;
        }
        // Completed on the loop thread once the addresses are released (or were never held).
        var handedOver = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _handedOver = handedOver;
        try
        {
            await PostAndWait(LoopEventKind.Shutdown).WaitAsync(cancellationToken).ConfigureAwait(false);
            if (_crashed)
            {
                // Off the timer loop since the crash: no hold timer would fire, and no advert can come in.
                _loop.Post(this, new LoopEvent { Kind = LoopEventKind.Shutdown });
            }
            await handedOver.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // A second Shutdown while one is held ends the hold: the addresses must not outlive the stop.
            _loop.Post(this, new LoopEvent { Kind = LoopEventKind.Shutdown });
            throw;
        }
        _loop.Remove(this);
        _actuator.CompleteAdding();
        await Task.Run(() => _actuatorThread!.Join(), cancellationToken).ConfigureAwait(false);
        await _notifications.WaitAsync(cancellationToken).ConfigureAwait(false);
        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.Run(() => _receiveThread!.Join(), cancellationToken).ConfigureAwait(false);
        VrrpMetrics.Unregister(this);
    }

    /// <summary>Test seam: the address actuator, to open its sockets before a test starts the instance.</summary>
    internal IVirtualAddressActuator Addresses => _addresses;

    /// <summary>
    /// Test seam: stops the way SIGKILL would: timers stop and sockets close, with no priority-0 advert and the
    /// addresses (and vmac interface) left where they are, as a crashed daemon on a live kernel leaves them.
    /// The gratuitous ARP repeats still due stop too (<see cref="Announce(CancellationToken, int)"/>): a killed
    /// daemon's address thread dies with it. Left running, they outlived the crash by up to (repeat - 1) ×
    /// interval (400 ms with keepalived's 5), landed after the backup's takeover and moved the virtual MAC back
    /// to the dead node's switch port, which no real crash does.
    /// </summary>
    internal void Crash()
    {
        _crashed = true;
        _loop.Remove(this);
        _stopping.Cancel();
        _transport.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync().ConfigureAwait(false);
        }
        finally
        {
            _transport.Dispose();
            (_addresses as IDisposable)?.Dispose();
            _actuator.Dispose();
            _stopping.Dispose();
        }
    }

    private Task PostAndWait(LoopEventKind kind)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _loop.Post(this, new LoopEvent { Kind = kind, Done = done });
        return done.Task;
    }

    private void OnTrackerChanged(object? sender, EventArgs e) =>
        _loop.Post(this, new LoopEvent { Kind = LoopEventKind.PriorityChanged });

    private byte ComputeEffectivePriority()
    {
        if (_options.Priority == 255)
        {
            return 255;
        }
        var adjusted = _options.Priority + (_tracker?.PriorityAdjustment ?? 0);
        return (byte)Math.Clamp(adjusted, 1, 254);
    }

    // ---- timer thread -------------------------------------------------------------------------------

    TimeSpan? ILoopClient.NextDue => (_election.NextDue, _releaseDue) switch
    {
        ({ } e, { } r) => e < r ? e : r,
        (var e, null) => e,
        (null, var r) => r,
    };

    void ILoopClient.OnDue(TimeSpan now)
    {
        if (_releaseDue is { } due && due <= now)
        {
            ReleaseHeld();
        }
        Apply(_election.OnTimer(now), now);
    }

    void ILoopClient.OnEvent(in LoopEvent e, TimeSpan now)
    {
        switch (e.Kind)
        {
            case LoopEventKind.Start:
                _election.OnPriorityChanged(now, ComputeEffectivePriority());
                _effectivePriority = _election.Priority;
                Apply(_election.Start(now), now);
                break;
            case LoopEventKind.Advert:
                if (_shutdownDeadline is not null && e.Priority != 0)
                {
                    // Stopping as master and another router now advertises: it is the new master. Keep the
                    // addresses half of its interval more, as on preemption, so its gratuitous ARP lands first.
                    HoldRelease(now + HandoverHold(e.Interval));
                }
                // The election's clock for an advert is when it was read, not when this thread got to it: the
                // Master_Down_Timer restarts from the advert's arrival (RFC 9568 §6.4.2), a wake-up earlier.
                var at = e.ReceivedAt > TimeSpan.Zero && e.ReceivedAt < now ? e.ReceivedAt : now;
                Apply(_election.OnAdvert(at, e.Priority, e.Interval, e.Sender.Span), now);
                break;
            case LoopEventKind.PriorityChanged:
                var outcome = _election.OnPriorityChanged(now, ComputeEffectivePriority());
                if (_election.Priority != _effectivePriority)
                {
                    _logger.LogInformation("vrrp {Instance}: effective priority {From} -> {To}", Name, _effectivePriority, _election.Priority);
                    _effectivePriority = _election.Priority;
                }
                Apply(outcome, now);
                break;
            case LoopEventKind.Shutdown:
                if (_shutdownDeadline is not null)
                {
                    ReleaseHeld(); // the stop was cancelled: release now
                    break;
                }
                Apply(_election.Shutdown(now), now);
                if (_shutdownDeadline is null)
                {
                    // Not a master (or nothing held): nothing to hand over. A release still held from a
                    // preemption goes now.
                    if (_releaseDue is not null)
                    {
                        ReleaseHeld();
                    }
                    CompleteHandover();
                }
                break;
        }
    }

    private void Apply(in ElectionOutcome o, TimeSpan now)
    {
        if (o.Actions == ElectionActions.None)
        {
            return;
        }
        if (o.Has(ElectionActions.SendAdvert))
        {
            SendAdvert(_election.Priority);
        }
        if (o.Has(ElectionActions.SendPriorityZeroAdvert))
        {
            SendAdvert(0);
        }
        UpdateMaster();
        if (o.Has(ElectionActions.ReleaseAddresses))
        {
            // Stop announcing at once (our gratuitous-ARP repeats would pull clients back to us), even when the
            // addresses themselves are held a little longer below.
            _announcing?.Cancel();
            _announcing = null;
            if (o.From == VrrpState.Master && o.To == VrrpState.Backup)
            {
                // Preempted: the new master sent its advert first and announces the addresses after it
                // (RFC 9568 §6.4.2). Keep them half of its advert interval (at most 1 s): clients never find
                // them held by nobody, and two routers hold them for less than one interval.
                HoldRelease(now + HandoverHold(_election.MasterAdverInterval));
            }
            else if (o.From == VrrpState.Master && o.To == VrrpState.Initialize)
            {
                // Shutdown (RFC 9568 §6.4.3): a backup takes over Skew_Time after our priority-0 advert. Keep
                // the addresses until its first advert (plus the hold above) or, with no backup, until a backup
                // would have taken over anyway: Master_Down_Interval.
                _shutdownDeadline = now + _election.MasterDownInterval;
                HoldRelease(_shutdownDeadline.Value);
            }
            else
            {
                _releaseDue = null;
                Enqueue(new ActuatorWork(ActuatorKind.Release, o.From, o.To, _election.Priority));
            }
        }
        CancellationToken announce = default;
        var firstRound = 0;
        if (o.Has(ElectionActions.TakeAddresses))
        {
            // After the advert, as RFC 9568 §6.4.2 orders them, and on purpose: with vmac the first advert must
            // leave from the parent's MAC while our macvlan is still down. Once it is up our adverts carry the
            // virtual MAC, and a peer whose own macvlan is up (the old master, holding its addresses) has the
            // kernel divert frames from "its own" MAC to that macvlan: it would never hear us. The old master
            // holds the addresses past this advert (above), so taking them a few ms later opens no gap.
            // Addresses still held from a handover are simply kept.
            _releaseDue = null;
            _announcing = new CancellationTokenSource();
            announce = _announcing.Token;
            if (TryTakeInline())
            {
                firstRound = 1;
            }
            else
            {
                Enqueue(new ActuatorWork(ActuatorKind.Take, o.From, o.To, _election.Priority));
            }
        }
        else if (o.Has(ElectionActions.Reannounce))
        {
            _announcing ??= new CancellationTokenSource();
            announce = _announcing.Token;
        }
        if (o.Has(ElectionActions.StateChanged))
        {
            _state = (int)o.To;
            Interlocked.Exchange(ref _stateSinceTicks, _time.GetUtcNow().UtcTicks);
            Counters.Transition(o.To == VrrpState.Master);
            Enqueue(new ActuatorWork(ActuatorKind.StateChanged, o.From, o.To, _election.Priority));
        }
        if (announce.CanBeCanceled)
        {
            // Last: the state change is raised once the addresses are on, not after the announcement repeats.
            Enqueue(new ActuatorWork(ActuatorKind.Announce, o.From, o.To, _election.Priority, announce, firstRound));
        }
        if (o.Has(ElectionActions.StateChanged))
        {
            // After the work is queued: a takeover's gratuitous ARP never waits for a log line to be formatted.
            _logger.LogInformation("vrrp {Instance}: {From} -> {To} (priority {Priority})", Name, o.From, o.To, _election.Priority);
        }
    }

    /// <summary>
    /// min(Master_Adver_Interval / 2, 1 s): how long a stepping-down master keeps its addresses after the new
    /// master's advert. Half an interval is ample for its gratuitous ARP (sent a few ms after that advert) and,
    /// with the release's own latency, keeps two holders under one advert interval.
    /// </summary>
    private TimeSpan HandoverHold(TimeSpan interval)
    {
        if (interval <= TimeSpan.Zero)
        {
            interval = _election.AdvertisementInterval;
        }
        var half = interval / 2;
        return half < MaxHandoverHold ? half : MaxHandoverHold;
    }

    /// <summary>Schedules the release of held addresses at <paramref name="due"/>, never later than one already set.</summary>
    private void HoldRelease(TimeSpan due)
    {
        if (_releaseDue is not { } current || due < current)
        {
            _releaseDue = due;
        }
    }

    private void ReleaseHeld()
    {
        _releaseDue = null;
        Enqueue(new ActuatorWork(ActuatorKind.Release, VrrpState.Master, _election.State, _election.Priority));
        if (_shutdownDeadline is not null)
        {
            _shutdownDeadline = null;
            CompleteHandover();
        }
    }

    private void CompleteHandover()
    {
        _handedOver?.TrySetResult();
        _handedOver = null;
    }

    private void UpdateMaster()
    {
        _masterPriority = _election.State == VrrpState.Initialize ? 0 : _election.MasterPriority;
        var current = _election.State == VrrpState.Initialize ? ReadOnlySpan<byte>.Empty : _election.MasterAddress;
        if (!current.SequenceEqual(_masterBytes.Span))
        {
            _masterBytes = AddressBytes.From(current);
            _masterAddress = current.IsEmpty ? null : new IPAddress(current);
        }
    }

    private void SendAdvert(byte priority)
    {
        var header = new VrrpHeader
        {
            Version = _options.Version,
            Vrid = _options.Vrid,
            Priority = priority,
            Interval = _options.IntervalField,
            AuthType = _authType,
            AuthData = _authData,
        };
        for (var i = 0; i < _destinations.Length; i++)
        {
            try
            {
                var n = VrrpCodec.Encode(_sendBuffer, header, _ourAddresses, _local.Span, _destinations[i].Span, _options.Ipv4ChecksumForm);
                _transport.Send(_sendBuffer.AsSpan(0, n), i);
                Counters.Sent(priority);
            }
            catch (Exception ex) when (ex is System.Net.Sockets.SocketException or ObjectDisposedException)
            {
                Counters.SendError();
                _logger.LogDebug(ex, "vrrp {Instance}: send failed", Name);
            }
        }
    }

    // ---- receive task -------------------------------------------------------------------------------

    private void ReceiveLoop()
    {
        var token = _stopping.Token;
        while (!token.IsCancellationRequested)
        {
            ReceivedPacket packet;
            TimeSpan receivedAt;
            try
            {
                if (!_transport.TryReceive(_receiveBuffer, ReceivePollInterval, out packet))
                {
                    continue;
                }
                receivedAt = _loop.Now;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (Exception ex)
            {
                Counters.ReceiveError();
                _logger.LogWarning(ex, "vrrp {Instance}: receive failed", Name);
                token.WaitHandle.WaitOne(100);
                continue;
            }
            var status = Validate(_receiveBuffer.AsSpan(0, packet.Length), packet, out var e);
            if (status != VrrpDecodeStatus.Ok)
            {
                Counters.Dropped(status);
                continue;
            }
            _loop.Post(this, e with { ReceivedAt = receivedAt });
        }
    }

    /// <summary>RFC 9568 §7.1 receive checks beyond the codec's: version, VRID, our own adverts, v2 interval and auth.</summary>
    internal VrrpDecodeStatus Validate(ReadOnlySpan<byte> data, in ReceivedPacket packet, out LoopEvent advert)
    {
        advert = default;
        var sourceBytes = packet.Source;
        var destinationBytes = packet.Destination;
        VrrpDecodeStatus status;
        VrrpHeader header;
        VrrpChecksumForm form;
        scoped ReadOnlySpan<byte> message, source;
        if (packet.IncludesIpHeader)
        {
            status = VrrpDatagram.Decode(data, out header, out form, out var offset, out var length);
            if (status != VrrpDecodeStatus.Ok)
            {
                return status;
            }
            message = data.Slice(offset, length);
            source = data[0] >> 4 == 4 ? Ipv4Header.Source(data) : Ipv6Header.Source(data);
        }
        else
        {
            if (packet.HopLimit != 0 && packet.HopLimit != VrrpDatagram.RequiredTtl)
            {
                return VrrpDecodeStatus.BadTtl;
            }
            source = sourceBytes.Span;
            var destination = destinationBytes.Span;
            message = data;
            status = VrrpCodec.Decode(message, source, destination, out header, out form);
            if (status != VrrpDecodeStatus.Ok)
            {
                return status;
            }
        }
        if (source.Length != _local.Length)
        {
            return VrrpDecodeStatus.WrongFamily;
        }
        if (header.Version != _options.Version)
        {
            return VrrpDecodeStatus.BadVersion;
        }
        if (header.Vrid != _options.Vrid)
        {
            return VrrpDecodeStatus.UnknownVrid;
        }
        if (source.SequenceEqual(_local.Span))
        {
            return VrrpDecodeStatus.OwnAdvert;
        }
        if (header.Version == 2)
        {
            // RFC 3768 §7.1: the interval MUST match; the authentication too.
            if (header.Interval != _options.IntervalField)
            {
                return VrrpDecodeStatus.IntervalMismatch;
            }
            if (header.AuthType != _authType || (_authType == 1 && header.AuthData != _authData))
            {
                return VrrpDecodeStatus.AuthMismatch;
            }
        }
        // RFC 9568 §7.1: an address list that differs is logged; the advert still counts.
        if (header.Priority != 0 && !VrrpCodec.Addresses(message, header, source.Length).SequenceEqual(_ourAddresses))
        {
            Counters.AddressListMismatch();
            if (!_addressMismatchLogged)
            {
                _addressMismatchLogged = true;
                _logger.LogWarning("vrrp {Instance}: advert from {Source} lists other virtual addresses than ours (logged once)",
                    Name, new IPAddress(source));
            }
        }
        Counters.Received(header.Priority, form);
        advert = new LoopEvent
        {
            Kind = LoopEventKind.Advert,
            Priority = header.Priority,
            Interval = header.AdvertisementInterval,
            Sender = AddressBytes.From(source),
        };
        return VrrpDecodeStatus.Ok;
    }

    // ---- actuator thread ----------------------------------------------------------------------------

    // Timer thread. After StopAsync completed the queue, an advert still in the loop's queue changes nothing.
    private void Enqueue(in ActuatorWork work)
    {
        Interlocked.Increment(ref _pendingWork);
        try
        {
            _actuator.Add(work);
        }
        catch (InvalidOperationException) when (_actuator.IsAddingCompleted)
        {
            Interlocked.Decrement(ref _pendingWork);
        }
    }

    /// <summary>
    /// Timer thread, at a takeover: takes the addresses and sends the first announcement here, right after the
    /// advert, when the actuator can do it without blocking and nothing is queued before it. Handing it to the
    /// address thread cost 1.2–4 ms from advert to gratuitous ARP (thread wake-up included) where keepalived takes
    /// 0.1 ms. Only the timer thread enqueues, so with the gate held and nothing pending, the order holds.
    /// </summary>
    private bool TryTakeInline()
    {
        if (!_addresses.TakesInline || !_actuatorGate.TryEnter())
        {
            return false;
        }
        try
        {
            if (Volatile.Read(ref _pendingWork) != 0)
            {
                return false;
            }
            try
            {
                _addresses.Take();
                _addresses.Announce();
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, "vrrp {Instance}: taking the addresses failed", Name);
            }
            return true;
        }
        finally
        {
            _actuatorGate.Exit();
        }
    }

    private void RunActuator()
    {
        foreach (var work in _actuator.GetConsumingEnumerable())
        {
            using var held = _actuatorGate.EnterScope();
            try
            {
                switch (work.Kind)
                {
                    case ActuatorKind.Take:
                        _addresses.Take();
                        break;
                    case ActuatorKind.Release:
                        _addresses.Release();
                        break;
                    case ActuatorKind.Announce:
                        Announce(work.Announcing, work.FirstRound);
                        break;
                    case ActuatorKind.StateChanged:
                        StateChanged?.Invoke(this, new VrrpStateChangedEventArgs(Name, work.From, work.To, work.Priority));
                        if (_options.NotifyScript is { } script)
                        {
                            // A script may take seconds; the next release must not wait for it. Chained: in order.
                            _notifications = _notifications.ContinueWith(
                                _ => NotifyScript.RunAsync(script, Name, work.To, work.Priority, _logger, CancellationToken.None),
                                CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();
                        }
                        break;
                }
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, "vrrp {Instance}: {Work} failed", Name, work.Kind);
            }
            finally
            {
                Interlocked.Decrement(ref _pendingWork);
            }
        }
    }

    // The announcement rounds from firstRound on, each after the configured interval. A step-down cancels them at
    // once: our gratuitous ARP must not pull clients back, and the release queued next must not wait.
    private void Announce(CancellationToken announcing, int firstRound)
    {
        var options = _addresses.Announcing;
        for (var round = firstRound; round < options.Repeat; round++)
        {
            if (round > 0 && announcing.WaitHandle.WaitOne(options.Interval))
            {
                return;
            }
            if (announcing.IsCancellationRequested || _crashed)
            {
                return;
            }
            _addresses.Announce();
        }
    }

    private enum ActuatorKind
    {
        Take,
        Release,
        Announce,
        StateChanged,
    }

    private readonly record struct ActuatorWork(ActuatorKind Kind, VrrpState From, VrrpState To, byte Priority,
        CancellationToken Announcing = default, int FirstRound = 0);
}
