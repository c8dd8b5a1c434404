namespace Vigil.Balancing;

/// <summary>What the operator wants of a backend, set by config or the admin API.</summary>
public enum AdminState
{
    /// <summary>Takes new requests when healthy.</summary>
    Enabled,
    /// <summary>Takes no new requests; requests and connections in flight finish.</summary>
    Draining,
    /// <summary>Takes nothing; health checks keep running so re-enabling is instant.</summary>
    Disabled,
}
