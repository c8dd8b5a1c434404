namespace Vigil.Vrrp.Tracking;

/// <summary>
/// What the host tells an instance about the things it tracks (pool health, interfaces, check scripts):
/// one priority adjustment, like the sum of keepalived's track_* weights.
/// </summary>
public interface IVrrpTracker
{
    /// <summary>Added to the configured priority (result clamped to 1–254; the owner's 255 never moves).</summary>
    int PriorityAdjustment { get; }

    /// <summary>Raised when <see cref="PriorityAdjustment"/> may have changed.</summary>
    event EventHandler? Changed;
}
