using System.Net;

namespace Vigil.Balancing;

/// <summary>One server of a pool, as configured.</summary>
/// <param name="Address">The operator's spelling, <c>host:port</c>; the key used by the admin API.</param>
/// <param name="EndPoint">The resolved address to connect to.</param>
/// <param name="Weight">Relative share, 1–256 (validated by the host).</param>
/// <param name="Backup">Used only when no primary backend of the pool is eligible.</param>
/// <param name="AdminState">The state the backend starts in.</param>
public sealed record BackendOptions(
    string Address,
    IPEndPoint EndPoint,
    int Weight = 1,
    bool Backup = false,
    AdminState AdminState = AdminState.Enabled);
