namespace Vigil.Vrrp.Election;

/// <summary>
/// The RFC 9568 §6.4 state machine of one virtual router, as a pure type: events go in with the current
/// time (a monotonic <see cref="TimeSpan"/> chosen by the caller), actions and absolute timer due times
/// come out. No sockets, no clocks, no threads: the caller serialises calls.
/// </summary>
public sealed class VrrpElection
{
    private readonly ElectionSettings _settings;
    private readonly byte[] _masterAddress = new byte[16];
    private int _masterAddressLength;
    private TimeSpan _preemptAllowedAt;

    public VrrpElection(ElectionSettings settings)
    {
        if (settings.Priority == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(settings), "priority 0 is reserved for a resigning master");
        }
        if (settings.AdvertisementInterval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(settings), "advertisement interval must be positive");
        }
        if (settings.PrimaryAddress.Length is not (4 or 16))
        {
            throw new ArgumentException("primary address must be 4 or 16 bytes", nameof(settings));
        }
        _settings = settings;
        Priority = settings.Priority;
        MasterAdverInterval = settings.AdvertisementInterval;
    }

    public VrrpState State { get; private set; } = VrrpState.Initialize;

    /// <summary>The priority in effect now (configured, adjusted by tracking).</summary>
    public byte Priority { get; private set; }

    public bool IsOwner => _settings.Priority == 255;

    public TimeSpan AdvertisementInterval => _settings.AdvertisementInterval;

    /// <summary>Learned from the master's adverts in Backup (RFC 9568 §6.4.2); our own interval otherwise.</summary>
    public TimeSpan MasterAdverInterval { get; private set; }

    /// <summary>RFC 9568 §6.1: Skew_Time = ((256 − Priority) × Master_Adver_Interval) / 256.</summary>
    public TimeSpan SkewTime => TimeSpan.FromTicks(MasterAdverInterval.Ticks * (256 - Priority) / 256);

    /// <summary>RFC 9568 §6.1: Master_Down_Interval = 3 × Master_Adver_Interval + Skew_Time.</summary>
    public TimeSpan MasterDownInterval => 3 * MasterAdverInterval + SkewTime;

    public TimeSpan? AdverTimerDue { get; private set; }

    public TimeSpan? MasterDownTimerDue { get; private set; }

    /// <summary>The earliest timer due, or null when none runs.</summary>
    public TimeSpan? NextDue => (AdverTimerDue, MasterDownTimerDue) switch
    {
        ({ } a, { } m) => a < m ? a : m,
        ({ } a, null) => a,
        (null, { } m) => m,
        _ => null,
    };

    /// <summary>The current master's primary address (ours when Master; none in Initialize or before a first advert).</summary>
    public ReadOnlySpan<byte> MasterAddress => State == VrrpState.Master ? _settings.PrimaryAddress.Span : _masterAddress.AsSpan(0, _masterAddressLength);

    /// <summary>The priority last advertised by the master we follow (ours when Master).</summary>
    public byte MasterPriority { get; private set; }

    /// <summary>RFC 9568 §6.4.1: Startup event.</summary>
    public ElectionOutcome Start(TimeSpan now)
    {
        if (State != VrrpState.Initialize)
        {
            return Nothing();
        }
        _preemptAllowedAt = now + _settings.PreemptDelay;
        _masterAddressLength = 0;
        MasterPriority = 0;
        if (IsOwner)
        {
            return BecomeMaster(now, ElectionActions.None);
        }
        MasterAdverInterval = _settings.AdvertisementInterval;
        return BecomeBackup(now, now + MasterDownInterval, ElectionActions.None);
    }

    /// <summary>
    /// An advertisement passed validation (RFC 9568 §7.1): its priority, its Max Adver Interval and the
    /// sender's primary address (the IP source, 4 or 16 bytes).
    /// </summary>
    public ElectionOutcome OnAdvert(TimeSpan now, byte priority, TimeSpan interval, ReadOnlySpan<byte> sender)
    {
        switch (State)
        {
            case VrrpState.Backup:
                if (priority == 0)
                {
                    // RFC 9568 §6.4.2: the master resigned; take over after Skew_Time so the best backup wins.
                    MasterDownTimerDue = now + SkewTime;
                    return Outcome(ElectionActions.SetMasterDownTimer, VrrpState.Backup);
                }
                if (!_settings.Preempt || priority >= Priority || now < _preemptAllowedAt)
                {
                    if (interval > TimeSpan.Zero)
                    {
                        MasterAdverInterval = interval;
                    }
                    RememberMaster(sender, priority);
                    MasterDownTimerDue = now + MasterDownInterval;
                    return Outcome(ElectionActions.SetMasterDownTimer, VrrpState.Backup);
                }
                // Preempting: ignore the lower master; our Master_Down_Timer will fire.
                return Nothing();

            case VrrpState.Master:
                if (priority == 0)
                {
                    // RFC 9568 §6.4.3: a resigning router; assert ourselves at once.
                    AdverTimerDue = now + AdvertisementInterval;
                    return Outcome(ElectionActions.SendAdvert | ElectionActions.SetAdverTimer, VrrpState.Master);
                }
                if (priority > Priority || (priority == Priority && Compare(sender, _settings.PrimaryAddress.Span) > 0))
                {
                    if (interval > TimeSpan.Zero)
                    {
                        MasterAdverInterval = interval;
                    }
                    RememberMaster(sender, priority);
                    AdverTimerDue = null;
                    // Beyond RFC 9568 §6.4.3: one last advert of ours as we step down. When a split brain heals,
                    // the winner's advert may reach us before ours reaches it; without this it would never learn
                    // there was a rival master, and clients whose ARP entry points at us would be left stranded.
                    // The winner answers a lower advert by re-announcing its addresses (below).
                    return BecomeBackup(now, now + MasterDownInterval,
                        ElectionActions.SendAdvert | ElectionActions.CancelAdverTimer | ElectionActions.ReleaseAddresses);
                }
                // A lower router believes it is master (split brain healing, or it just started with
                // preempt on): RFC 9568 says discard; we also advertise and re-announce the addresses at
                // once so it steps down and the clients' ARP caches point at us again without waiting.
                AdverTimerDue = now + AdvertisementInterval;
                return Outcome(ElectionActions.SendAdvert | ElectionActions.Reannounce | ElectionActions.SetAdverTimer, VrrpState.Master);

            default:
                return Nothing();
        }
    }

    /// <summary>Fires whichever timer is due at <paramref name="now"/> (none: no actions).</summary>
    public ElectionOutcome OnTimer(TimeSpan now)
    {
        if (State == VrrpState.Backup && MasterDownTimerDue is { } down && down <= now)
        {
            return OnMasterDown(now);
        }
        if (State == VrrpState.Master && AdverTimerDue is { } adver && adver <= now)
        {
            return OnAdverTimer(now);
        }
        return Nothing();
    }

    /// <summary>RFC 9568 §6.4.2: Master_Down_Timer fires in Backup.</summary>
    public ElectionOutcome OnMasterDown(TimeSpan now)
    {
        if (State != VrrpState.Backup)
        {
            return Nothing();
        }
        MasterDownTimerDue = null;
        return BecomeMaster(now, ElectionActions.CancelMasterDownTimer);
    }

    /// <summary>RFC 9568 §6.4.3: Adver_Timer fires in Master.</summary>
    public ElectionOutcome OnAdverTimer(TimeSpan now)
    {
        if (State != VrrpState.Master)
        {
            return Nothing();
        }
        // Schedule from the previous due time so a late wake-up does not drift the advert train.
        var next = (AdverTimerDue ?? now) + AdvertisementInterval;
        AdverTimerDue = next > now ? next : now + AdvertisementInterval;
        return Outcome(ElectionActions.SendAdvert | ElectionActions.SetAdverTimer, VrrpState.Master);
    }

    /// <summary>
    /// Tracking changed the priority (1–254; ignored for the owner, whose priority is fixed at 255).
    /// A master advertises the new priority at once so backups with preempt can react.
    /// </summary>
    public ElectionOutcome OnPriorityChanged(TimeSpan now, byte priority)
    {
        if (IsOwner || priority == Priority)
        {
            return Nothing();
        }
        Priority = Math.Clamp(priority, (byte)1, (byte)254);
        if (State == VrrpState.Master)
        {
            AdverTimerDue = now + AdvertisementInterval;
            return Outcome(ElectionActions.SendAdvert | ElectionActions.SetAdverTimer, VrrpState.Master);
        }
        return Nothing();
    }

    /// <summary>RFC 9568 §6.4.2/§6.4.3: Shutdown event. A master resigns with a priority-0 advert.</summary>
    public ElectionOutcome Shutdown(TimeSpan now)
    {
        var from = State;
        State = VrrpState.Initialize;
        switch (from)
        {
            case VrrpState.Master:
                AdverTimerDue = null;
                return Outcome(ElectionActions.CancelAdverTimer | ElectionActions.SendPriorityZeroAdvert |
                    ElectionActions.ReleaseAddresses | ElectionActions.StateChanged, from);
            case VrrpState.Backup:
                MasterDownTimerDue = null;
                return Outcome(ElectionActions.CancelMasterDownTimer | ElectionActions.StateChanged, from);
            default:
                return Nothing();
        }
    }

    private ElectionOutcome BecomeMaster(TimeSpan now, ElectionActions extra)
    {
        var from = State;
        State = VrrpState.Master;
        MasterPriority = Priority;
        AdverTimerDue = now + AdvertisementInterval;
        // RFC 9568 §6.4.1/§6.4.2: send an advert, broadcast gratuitous ARP / unsolicited NA, start Adver_Timer.
        return Outcome(extra | ElectionActions.SendAdvert | ElectionActions.TakeAddresses |
            ElectionActions.SetAdverTimer | ElectionActions.StateChanged, from);
    }

    private ElectionOutcome BecomeBackup(TimeSpan now, TimeSpan masterDownDue, ElectionActions extra)
    {
        _ = now;
        var from = State;
        State = VrrpState.Backup;
        MasterDownTimerDue = masterDownDue;
        return Outcome(extra | ElectionActions.SetMasterDownTimer | ElectionActions.StateChanged, from);
    }

    private void RememberMaster(ReadOnlySpan<byte> sender, byte priority)
    {
        MasterPriority = priority;
        _masterAddressLength = Math.Min(sender.Length, 16);
        sender[.._masterAddressLength].CopyTo(_masterAddress);
    }

    private ElectionOutcome Outcome(ElectionActions actions, VrrpState from) =>
        new(actions, from, State, AdverTimerDue, MasterDownTimerDue);

    private ElectionOutcome Nothing() => Outcome(ElectionActions.None, State);

    // Addresses compared as unsigned big-endian numbers (RFC 9568 §6.4.3: "primary IPvX Address of the sender is greater").
    private static int Compare(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b) =>
        a.Length != b.Length ? a.Length.CompareTo(b.Length) : a.SequenceCompareTo(b);
}
