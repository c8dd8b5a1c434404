namespace Vigil.Vrrp.Tracking;

/// <summary>
/// A ready <see cref="IVrrpTracker"/>: named adjustments (e.g. "pool:web" → −60 while all its backends are
/// down) summed into one. The host sets and clears them as health changes.
/// </summary>
public sealed class PriorityAdjustments : IVrrpTracker
{
    private readonly Dictionary<string, int> _adjustments = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private int _sum;

    public int PriorityAdjustment => Volatile.Read(ref _sum);

    public event EventHandler? Changed;

    /// <summary>Sets one named adjustment (0 removes it).</summary>
    public void Set(string source, int weight)
    {
        bool changed;
        lock (_lock)
        {
            var before = _sum;
            if (weight == 0)
            {
                _adjustments.Remove(source);
            }
            else
            {
                _adjustments[source] = weight;
            }
            _sum = _adjustments.Values.Sum();
            changed = before != _sum;
        }
        if (changed)
        {
            Changed?.Invoke(this, EventArgs.Empty);
        }
    }

    public IReadOnlyDictionary<string, int> Snapshot()
    {
        lock (_lock)
        {
            return new Dictionary<string, int>(_adjustments, StringComparer.Ordinal);
        }
    }
}
