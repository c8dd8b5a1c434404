using System.Net;

namespace Vigil.Tests.Hostile;

/// <summary>
/// What stands between the raw clients and <see cref="HostileOrigin"/>: Vigil, HAProxy, or the
/// deliberately unsafe <see cref="NaiveRelay"/>. The invariant is the same for all of them.
/// </summary>
public interface IFrontDoor : IAsyncDisposable
{
    string Name { get; }
    IPEndPoint EndPoint { get; }
    /// <summary>The proxy sets X-Forwarded-For, so the origin must see the real client (127.0.0.1) as its last element.</summary>
    bool SetsForwardedFor { get; }
    /// <summary>The proxy sets X-Forwarded-Host from the client's Host, replacing what the client sent.</summary>
    bool SetsForwardedHost { get; }
}

/// <summary>Builds a front door in front of an origin; a theory parameter, so every corpus runs through each.</summary>
public delegate Task<IFrontDoor> FrontFactory(HostileOrigin origin);
