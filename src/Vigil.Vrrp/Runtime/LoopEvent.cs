namespace Vigil.Vrrp.Runtime;

/// <summary>An event queued to the timer loop thread, where all election state lives.</summary>
internal readonly struct LoopEvent
{
    public LoopEventKind Kind { get; init; }
    public byte Priority { get; init; }
    public TimeSpan Interval { get; init; }
    public AddressBytes Sender { get; init; }
    /// <summary>When the receive thread read the advert, on the loop's time axis (zero for other events).</summary>
    public TimeSpan ReceivedAt { get; init; }
    /// <summary>Completed on the loop thread when the event is handled (start/stop only).</summary>
    public TaskCompletionSource? Done { get; init; }
}

internal enum LoopEventKind
{
    Start,
    Advert,
    PriorityChanged,
    Shutdown,
}
