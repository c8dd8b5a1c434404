using Microsoft.Extensions.Time.Testing;
using Vigil.Vrrp.Election;

namespace Vigil.Vrrp.Tests.Election;

/// <summary>Every RFC 9568 §6.4 transition, with time from an injected fake clock.</summary>
public sealed class VrrpElectionTests
{
    private static readonly byte[] Self = [10, 77, 0, 12];
    private static readonly byte[] Higher = [10, 77, 0, 13];
    private static readonly byte[] Lower = [10, 77, 0, 11];
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    private readonly FakeTimeProvider _clock = new();
    private readonly long _origin;

    public VrrpElectionTests() => _origin = _clock.GetTimestamp();

    private TimeSpan Now => _clock.GetElapsedTime(_origin);

    private void Advance(TimeSpan by) => _clock.Advance(by);

    private static VrrpElection Create(byte priority = 100, TimeSpan? interval = null, bool preempt = true, TimeSpan preemptDelay = default) =>
        new(new ElectionSettings
        {
            Priority = priority,
            AdvertisementInterval = interval ?? Second,
            Preempt = preempt,
            PreemptDelay = preemptDelay,
            PrimaryAddress = Self,
        });

    private static TimeSpan Skew(byte priority, TimeSpan interval) => TimeSpan.FromTicks((256 - priority) * interval.Ticks / 256);

    [Theory]
    [InlineData(1, 1000)]
    [InlineData(100, 1000)]
    [InlineData(150, 1000)]
    [InlineData(254, 1000)]
    [InlineData(100, 100)]
    [InlineData(200, 20)]
    public void StartupGoesBackupWithMasterDownInterval(byte priority, int intervalMs)
    {
        var interval = TimeSpan.FromMilliseconds(intervalMs);
        var e = Create(priority, interval);
        Advance(TimeSpan.FromSeconds(5));
        var o = e.Start(Now);
        Assert.Equal(VrrpState.Initialize, o.From);
        Assert.Equal(VrrpState.Backup, o.To);
        Assert.True(o.Has(ElectionActions.StateChanged | ElectionActions.SetMasterDownTimer));
        Assert.False(o.Has(ElectionActions.SendAdvert));
        Assert.Equal(Skew(priority, interval), e.SkewTime);
        Assert.Equal(3 * interval + Skew(priority, interval), e.MasterDownInterval);
        Assert.Equal(Now + e.MasterDownInterval, o.MasterDownTimerDue);
        Assert.Null(o.AdverTimerDue);
    }

    [Fact]
    public void SkewGrowsAsPriorityFalls()
    {
        // The whole point of skew: the best backup's timer fires first.
        var high = Create(200);
        var low = Create(50);
        Assert.True(high.MasterDownInterval < low.MasterDownInterval);
        Assert.Equal(TimeSpan.FromMilliseconds(3000 + 1000 * 56 / 256.0), high.MasterDownInterval);
    }

    [Fact]
    public void CentisecondIntervalWorks()
    {
        var e = Create(100, TimeSpan.FromMilliseconds(20));
        e.Start(Now);
        // 3 × 20 ms + (156 × 20 ms) / 256 = 72.1875 ms
        Assert.Equal(TimeSpan.FromTicks(721_875), e.MasterDownInterval);
        Advance(TimeSpan.FromTicks(721_874));
        Assert.Equal(ElectionActions.None, e.OnTimer(Now).Actions);
        Advance(TimeSpan.FromTicks(1));
        var o = e.OnTimer(Now);
        Assert.Equal(VrrpState.Master, o.To);
        Assert.Equal(Now + TimeSpan.FromMilliseconds(20), o.AdverTimerDue);
    }

    [Fact]
    public void OwnerGoesMasterAtOnce()
    {
        var e = Create(255);
        var o = e.Start(Now);
        Assert.Equal(VrrpState.Master, o.To);
        Assert.True(o.Has(ElectionActions.SendAdvert | ElectionActions.TakeAddresses | ElectionActions.SetAdverTimer | ElectionActions.StateChanged));
        Assert.Equal(Now + Second, o.AdverTimerDue);
        Assert.Null(e.MasterDownTimerDue);
        Assert.Equal(Self, e.MasterAddress.ToArray());
    }

    [Fact]
    public void OwnerIgnoresPriorityChanges()
    {
        var e = Create(255);
        e.Start(Now);
        Assert.Equal(ElectionActions.None, e.OnPriorityChanged(Now, 100).Actions);
        Assert.Equal(255, e.Priority);
    }

    [Fact]
    public void BackupBecomesMasterWhenMasterDownTimerFires()
    {
        var e = Create(100);
        e.Start(Now);
        var due = e.MasterDownTimerDue!.Value;
        Advance(due - Now - TimeSpan.FromMilliseconds(1));
        Assert.Equal(ElectionActions.None, e.OnTimer(Now).Actions);
        Assert.Equal(VrrpState.Backup, e.State);
        Advance(TimeSpan.FromMilliseconds(1));
        var o = e.OnTimer(Now);
        Assert.Equal(VrrpState.Backup, o.From);
        Assert.Equal(VrrpState.Master, o.To);
        Assert.True(o.Has(ElectionActions.SendAdvert | ElectionActions.TakeAddresses | ElectionActions.SetAdverTimer | ElectionActions.CancelMasterDownTimer));
        Assert.Null(e.MasterDownTimerDue);
        Assert.Equal(Now + Second, e.AdverTimerDue);
    }

    [Fact]
    public void BackupResetsTimerOnHigherAdvertAndLearnsInterval()
    {
        var e = Create(100, Second);
        e.Start(Now);
        Advance(TimeSpan.FromMilliseconds(2500));
        var o = e.OnAdvert(Now, 150, TimeSpan.FromSeconds(2), Higher);
        Assert.Equal(ElectionActions.SetMasterDownTimer, o.Actions);
        Assert.Equal(TimeSpan.FromSeconds(2), e.MasterAdverInterval);
        // Master_Down_Interval recomputed from the learned interval (RFC 9568 §6.4.2).
        Assert.Equal(TimeSpan.FromSeconds(6) + Skew(100, TimeSpan.FromSeconds(2)), e.MasterDownInterval);
        Assert.Equal(Now + e.MasterDownInterval, o.MasterDownTimerDue);
        Assert.Equal(Higher, e.MasterAddress.ToArray());
        Assert.Equal(150, e.MasterPriority);
        // Adverts keep it backup well past the original Master_Down_Interval.
        for (var i = 0; i < 10; i++)
        {
            Advance(TimeSpan.FromSeconds(2));
            Assert.Equal(ElectionActions.None, e.OnTimer(Now).Actions);
            e.OnAdvert(Now, 150, TimeSpan.FromSeconds(2), Higher);
        }
        Assert.Equal(VrrpState.Backup, e.State);
    }

    [Fact]
    public void BackupAcceptsEqualPriorityEvenWithPreempt()
    {
        var e = Create(100);
        e.Start(Now);
        Advance(TimeSpan.FromSeconds(1));
        var o = e.OnAdvert(Now, 100, Second, Lower);
        Assert.Equal(Now + e.MasterDownInterval, o.MasterDownTimerDue);
    }

    [Fact]
    public void BackupTakesOverAfterSkewTimeOnPriorityZero()
    {
        var e = Create(150);
        e.Start(Now);
        e.OnAdvert(Now, 200, Second, Higher);
        Advance(TimeSpan.FromMilliseconds(300));
        var o = e.OnAdvert(Now, 0, Second, Higher);
        Assert.Equal(ElectionActions.SetMasterDownTimer, o.Actions);
        Assert.Equal(Now + Skew(150, Second), o.MasterDownTimerDue);
        Advance(Skew(150, Second));
        Assert.Equal(VrrpState.Master, e.OnTimer(Now).To);
    }

    [Fact]
    public void PreemptingBackupIgnoresLowerMasterAndTakesOver()
    {
        var e = Create(150, preempt: true);
        e.Start(Now);
        var due = e.MasterDownTimerDue;
        Advance(TimeSpan.FromSeconds(1));
        var o = e.OnAdvert(Now, 100, Second, Lower);
        Assert.Equal(ElectionActions.None, o.Actions);
        Assert.Equal(due, e.MasterDownTimerDue);
        Advance(due!.Value - Now);
        Assert.Equal(VrrpState.Master, e.OnTimer(Now).To);
    }

    [Fact]
    public void NonPreemptingBackupFollowsLowerMaster()
    {
        var e = Create(150, preempt: false);
        e.Start(Now);
        for (var i = 0; i < 20; i++)
        {
            Advance(Second);
            Assert.Equal(ElectionActions.None, e.OnTimer(Now).Actions);
            var o = e.OnAdvert(Now, 100, Second, Lower);
            Assert.Equal(ElectionActions.SetMasterDownTimer, o.Actions);
        }
        Assert.Equal(VrrpState.Backup, e.State);
        Assert.Equal(Lower, e.MasterAddress.ToArray());
        // ... but it still takes over when the lower master dies.
        Advance(e.MasterDownInterval);
        Assert.Equal(VrrpState.Master, e.OnTimer(Now).To);
    }

    [Fact]
    public void PreemptDelayHoldsOffPreemptionAfterStartup()
    {
        var e = Create(150, preempt: true, preemptDelay: TimeSpan.FromSeconds(10));
        e.Start(Now);
        for (var i = 0; i < 9; i++)
        {
            Advance(Second);
            Assert.Equal(ElectionActions.SetMasterDownTimer, e.OnAdvert(Now, 100, Second, Lower).Actions);
        }
        Assert.Equal(VrrpState.Backup, e.State);
        Advance(Second);
        // Ten seconds after startup, the lower master's adverts are ignored: preemption.
        Assert.Equal(ElectionActions.None, e.OnAdvert(Now, 100, Second, Lower).Actions);
        Advance(e.MasterDownInterval);
        Assert.Equal(VrrpState.Master, e.OnTimer(Now).To);
    }

    private VrrpElection Master(byte priority = 100, TimeSpan? interval = null)
    {
        var e = Create(priority, interval);
        e.Start(Now);
        Advance(e.MasterDownInterval);
        Assert.Equal(VrrpState.Master, e.OnTimer(Now).To);
        return e;
    }

    [Fact]
    public void MasterAdvertisesEveryInterval()
    {
        var e = Master();
        var first = e.AdverTimerDue!.Value;
        for (var i = 0; i < 5; i++)
        {
            Advance(Second);
            var o = e.OnTimer(Now);
            Assert.Equal(ElectionActions.SendAdvert | ElectionActions.SetAdverTimer, o.Actions);
            Assert.Equal(first + (i + 1) * Second, o.AdverTimerDue);
        }
    }

    [Fact]
    public void LateAdverTimerKeepsCadenceWithoutBursts()
    {
        var e = Master();
        var due = e.AdverTimerDue!.Value;
        Advance(due - Now + TimeSpan.FromMilliseconds(300)); // woke 300 ms late
        Assert.Equal(due + Second, e.OnTimer(Now).AdverTimerDue);
        Advance(TimeSpan.FromSeconds(5)); // woke 4.x s late: no catch-up burst
        var o = e.OnTimer(Now);
        Assert.Equal(Now + Second, o.AdverTimerDue);
        Assert.Equal(ElectionActions.None, e.OnTimer(Now).Actions);
    }

    [Fact]
    public void MasterStepsDownForHigherPriority()
    {
        var e = Master(100);
        Advance(TimeSpan.FromMilliseconds(400));
        var o = e.OnAdvert(Now, 150, TimeSpan.FromMilliseconds(500), Lower);
        Assert.Equal(VrrpState.Master, o.From);
        Assert.Equal(VrrpState.Backup, o.To);
        Assert.True(o.Has(ElectionActions.CancelAdverTimer | ElectionActions.ReleaseAddresses | ElectionActions.SetMasterDownTimer | ElectionActions.StateChanged));
        // One last advert, so the winner learns of the rival and re-announces (split brain healing).
        Assert.True(o.Has(ElectionActions.SendAdvert));
        Assert.Null(e.AdverTimerDue);
        Assert.Equal(TimeSpan.FromMilliseconds(500), e.MasterAdverInterval);
        Assert.Equal(Now + 3 * TimeSpan.FromMilliseconds(500) + Skew(100, TimeSpan.FromMilliseconds(500)), e.MasterDownTimerDue);
        Assert.Equal(Lower, e.MasterAddress.ToArray());
    }

    [Fact]
    public void TieGoesToTheHigherPrimaryAddress()
    {
        var e = Master(100);
        var lowerTie = e.OnAdvert(Now, 100, Second, Lower);
        Assert.Equal(VrrpState.Master, lowerTie.To);
        var higherTie = e.OnAdvert(Now, 100, Second, Higher);
        Assert.Equal(VrrpState.Backup, higherTie.To);
    }

    [Fact]
    public void MasterAnswersLowerRivalAndReannounces()
    {
        var e = Master(150);
        Advance(TimeSpan.FromMilliseconds(250));
        var o = e.OnAdvert(Now, 100, Second, Higher);
        Assert.Equal(VrrpState.Master, o.To);
        Assert.Equal(ElectionActions.SendAdvert | ElectionActions.Reannounce | ElectionActions.SetAdverTimer, o.Actions);
        Assert.Equal(Now + Second, o.AdverTimerDue);
    }

    [Fact]
    public void MasterAnswersPriorityZeroAtOnce()
    {
        var e = Master(150);
        Advance(TimeSpan.FromMilliseconds(250));
        var o = e.OnAdvert(Now, 0, Second, Higher);
        Assert.Equal(VrrpState.Master, o.To);
        Assert.Equal(ElectionActions.SendAdvert | ElectionActions.SetAdverTimer, o.Actions);
        Assert.Equal(Now + Second, o.AdverTimerDue);
    }

    [Fact]
    public void MasterShutdownSendsPriorityZeroAndReleases()
    {
        var e = Master();
        var o = e.Shutdown(Now);
        Assert.Equal(VrrpState.Master, o.From);
        Assert.Equal(VrrpState.Initialize, o.To);
        Assert.True(o.Has(ElectionActions.SendPriorityZeroAdvert | ElectionActions.ReleaseAddresses | ElectionActions.CancelAdverTimer));
        Assert.False(o.Has(ElectionActions.SendAdvert));
        Assert.Null(e.NextDue);
        Assert.Equal(ElectionActions.None, e.OnTimer(Now + TimeSpan.FromHours(1)).Actions);
    }

    [Fact]
    public void BackupShutdownCancelsTimer()
    {
        var e = Create();
        e.Start(Now);
        var o = e.Shutdown(Now);
        Assert.Equal(ElectionActions.CancelMasterDownTimer | ElectionActions.StateChanged, o.Actions);
        Assert.Equal(VrrpState.Initialize, e.State);
        Assert.Null(e.NextDue);
        Assert.Equal(ElectionActions.None, e.OnAdvert(Now, 200, Second, Higher).Actions);
        // Startup again works.
        Assert.Equal(VrrpState.Backup, e.Start(Now).To);
    }

    [Fact]
    public void MasterAdvertisesPriorityChangeAtOnce()
    {
        var e = Master(150);
        Advance(TimeSpan.FromMilliseconds(100));
        var o = e.OnPriorityChanged(Now, 90);
        Assert.Equal(ElectionActions.SendAdvert | ElectionActions.SetAdverTimer, o.Actions);
        Assert.Equal(90, e.Priority);
        // Now a backup at 100 takes over: our advert at 90 is lower, and its advert at 100 beats us.
        Assert.Equal(VrrpState.Backup, e.OnAdvert(Now, 100, Second, Lower).To);
    }

    [Fact]
    public void PriorityChangeIsClampedAndMovesSkew()
    {
        var e = Create(100);
        e.Start(Now);
        Assert.Equal(ElectionActions.None, e.OnPriorityChanged(Now, 255).Actions);
        Assert.Equal(254, e.Priority);
        Assert.Equal(Skew(254, Second), e.SkewTime);
        e.OnPriorityChanged(Now, 0);
        Assert.Equal(1, e.Priority);
    }

    [Fact]
    public void RejectsPriorityZeroConfiguration() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Create(0));

    [Fact]
    public void TwoRoutersOnASimulatedWireElectTheHigherAndFailOver()
    {
        // A lossless wire: adverts are delivered at the instant they are sent.
        var a = new VrrpElection(new ElectionSettings { Priority = 150, AdvertisementInterval = TimeSpan.FromMilliseconds(100), PrimaryAddress = Lower });
        var b = new VrrpElection(new ElectionSettings { Priority = 100, AdvertisementInterval = TimeSpan.FromMilliseconds(100), PrimaryAddress = Higher });
        var step = TimeSpan.FromMilliseconds(1);
        Deliver(a.Start(Now), a, b, Lower);
        Deliver(b.Start(Now), b, a, Higher);
        for (var i = 0; i < 2000; i++)
        {
            Advance(step);
            Deliver(a.OnTimer(Now), a, b, Lower);
            Deliver(b.OnTimer(Now), b, a, Higher);
        }
        Assert.Equal(VrrpState.Master, a.State);
        Assert.Equal(VrrpState.Backup, b.State);
        Assert.Equal(Lower, b.MasterAddress.ToArray());

        // A resigns: B takes over within its Skew_Time.
        Deliver(a.Shutdown(Now), a, b, Lower);
        var resignedAt = Now;
        while (b.State != VrrpState.Master)
        {
            Advance(step);
            Deliver(b.OnTimer(Now), b, a, Higher);
            Assert.True(Now - resignedAt <= b.SkewTime + step);
        }

        // A returns with preempt (the default): it takes over again after its Master_Down_Interval.
        Deliver(a.Start(Now), a, b, Lower);
        for (var i = 0; i < 1000; i++)
        {
            Advance(step);
            Deliver(a.OnTimer(Now), a, b, Lower);
            Deliver(b.OnTimer(Now), b, a, Higher);
        }
        Assert.Equal(VrrpState.Master, a.State);
        Assert.Equal(VrrpState.Backup, b.State);
    }

    private void Deliver(ElectionOutcome o, VrrpElection from, VrrpElection to, byte[] fromAddress)
    {
        if (o.Has(ElectionActions.SendAdvert) || o.Has(ElectionActions.Reannounce))
        {
            Deliver(to.OnAdvert(Now, from.Priority, from.AdvertisementInterval, fromAddress), to, from, to == from ? fromAddress : Other(fromAddress));
        }
        if (o.Has(ElectionActions.SendPriorityZeroAdvert))
        {
            to.OnAdvert(Now, 0, from.AdvertisementInterval, fromAddress);
        }
    }

    private static byte[] Other(byte[] address) => address == Lower ? Higher : Lower;
}
