namespace Vigil.Vrrp.Runtime;

/// <summary>Something the timer loop drives: an instance with timers and queued events.</summary>
internal interface ILoopClient
{
    /// <summary>Earliest due timer, read on the loop thread.</summary>
    TimeSpan? NextDue { get; }

    void OnDue(TimeSpan now);

    void OnEvent(in LoopEvent e, TimeSpan now);
}
