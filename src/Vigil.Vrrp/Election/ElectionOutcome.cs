namespace Vigil.Vrrp.Election;

/// <summary>
/// The result of one event: the actions, the state before and after, and the absolute due times of
/// the timers (on the election's monotonic time axis) when an action sets them.
/// </summary>
public readonly record struct ElectionOutcome(
    ElectionActions Actions,
    VrrpState From,
    VrrpState To,
    TimeSpan? AdverTimerDue,
    TimeSpan? MasterDownTimerDue)
{
    public bool Has(ElectionActions action) => (Actions & action) == action;
}
