namespace Vigil.Balancing;

/// <summary>
/// What a scheduler may look at to pick a backend: a hash of the client (source-hash) or of a
/// request key (consistent-hash), and the time (slow start). Passed by reference; allocates nothing.
/// </summary>
public readonly struct PickContext
{
    public PickContext(ulong hash, DateTimeOffset now)
    {
        Hash = hash;
        Now = now;
    }

    /// <summary>Hash of the client address or request key; 0 when the scheduler does not need one.</summary>
    public ulong Hash { get; }
    public DateTimeOffset Now { get; }
}
