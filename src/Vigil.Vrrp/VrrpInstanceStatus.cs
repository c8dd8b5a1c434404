using System.Net;
using Vigil.Vrrp.Election;
using Vigil.Vrrp.Runtime;

namespace Vigil.Vrrp;

/// <summary>A point-in-time view of an instance for /api/status.</summary>
public sealed record VrrpInstanceStatus(
    string Name,
    byte Vrid,
    VrrpState State,
    DateTimeOffset StateSince,
    byte Priority,
    byte EffectivePriority,
    IPAddress? MasterAddress,
    byte MasterPriority,
    TimeSpan AdvertInterval,
    TimeSpan MasterAdverInterval,
    TimeSpan MasterDownInterval,
    VrrpCounters Counters);
