namespace Vigil.Vrrp.Election;

/// <summary>What the election asks its owner to do after an event; several may be set at once.</summary>
[Flags]
public enum ElectionActions
{
    None = 0,
    /// <summary>Send an advertisement with the current priority.</summary>
    SendAdvert = 1 << 0,
    /// <summary>Send an advertisement with priority 0: the master resigns (RFC 9568 §6.4.3 Shutdown).</summary>
    SendPriorityZeroAdvert = 1 << 1,
    /// <summary>Take the virtual addresses and announce them (gratuitous ARP / unsolicited NA).</summary>
    TakeAddresses = 1 << 2,
    /// <summary>Release the virtual addresses.</summary>
    ReleaseAddresses = 1 << 3,
    /// <summary>Announce the addresses again without changing them (a rival master was seen: split brain healing).</summary>
    Reannounce = 1 << 4,
    SetAdverTimer = 1 << 5,
    SetMasterDownTimer = 1 << 6,
    CancelAdverTimer = 1 << 7,
    CancelMasterDownTimer = 1 << 8,
    StateChanged = 1 << 9,
}
