using Vigil.Vrrp.Packets;

namespace Vigil.Vrrp.Runtime;

/// <summary>Counters of one VRRP instance, cheap to read for /api/status and /metrics.</summary>
public sealed class VrrpCounters
{
    private readonly long[] _drops = new long[Enum.GetValues<VrrpDecodeStatus>().Length];
    private readonly long[] _checksumForms = new long[Enum.GetValues<VrrpChecksumForm>().Length];
    private long _advertsSent;
    private long _advertsReceived;
    private long _priorityZeroSent;
    private long _priorityZeroReceived;
    private long _transitions;
    private long _becameMaster;
    private long _sendErrors;
    private long _receiveErrors;
    private long _addressListMismatches;

    public long AdvertsSent => Interlocked.Read(ref _advertsSent);
    /// <summary>Adverts that passed validation and went to the election.</summary>
    public long AdvertsReceived => Interlocked.Read(ref _advertsReceived);
    public long PriorityZeroSent => Interlocked.Read(ref _priorityZeroSent);
    public long PriorityZeroReceived => Interlocked.Read(ref _priorityZeroReceived);
    public long Transitions => Interlocked.Read(ref _transitions);
    public long BecameMaster => Interlocked.Read(ref _becameMaster);
    public long SendErrors => Interlocked.Read(ref _sendErrors);
    public long ReceiveErrors => Interlocked.Read(ref _receiveErrors);
    /// <summary>Adverts whose address list differs from ours (RFC 9568 §7.1: log, accepted).</summary>
    public long AddressListMismatches => Interlocked.Read(ref _addressListMismatches);

    public long Drops(VrrpDecodeStatus reason) => Interlocked.Read(ref _drops[(int)reason]);

    public long TotalDrops => _drops.Skip(1).Sum();

    /// <summary>Accepted adverts by the checksum form that matched.</summary>
    public long ChecksumMatches(VrrpChecksumForm form) => Interlocked.Read(ref _checksumForms[(int)form]);

    /// <summary>Drops by reason name (only non-zero ones), for status JSON.</summary>
    public IReadOnlyDictionary<string, long> DropsByReason() =>
        Enum.GetValues<VrrpDecodeStatus>().Where(r => r != VrrpDecodeStatus.Ok && Drops(r) > 0)
            .ToDictionary(r => r.ToString(), Drops);

    public IReadOnlyDictionary<string, long> ChecksumFormsMatched() =>
        Enum.GetValues<VrrpChecksumForm>().Where(f => f != VrrpChecksumForm.None && ChecksumMatches(f) > 0)
            .ToDictionary(f => f.ToString(), ChecksumMatches);

    internal void Sent(byte priority)
    {
        Interlocked.Increment(ref _advertsSent);
        if (priority == 0)
        {
            Interlocked.Increment(ref _priorityZeroSent);
        }
    }

    internal void Received(byte priority, VrrpChecksumForm form)
    {
        Interlocked.Increment(ref _advertsReceived);
        Interlocked.Increment(ref _checksumForms[(int)form]);
        if (priority == 0)
        {
            Interlocked.Increment(ref _priorityZeroReceived);
        }
    }

    internal void Dropped(VrrpDecodeStatus reason) => Interlocked.Increment(ref _drops[(int)reason]);

    internal void Transition(bool toMaster)
    {
        Interlocked.Increment(ref _transitions);
        if (toMaster)
        {
            Interlocked.Increment(ref _becameMaster);
        }
    }

    internal void SendError() => Interlocked.Increment(ref _sendErrors);

    internal void ReceiveError() => Interlocked.Increment(ref _receiveErrors);

    internal void AddressListMismatch() => Interlocked.Increment(ref _addressListMismatches);
}
