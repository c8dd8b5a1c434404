using Vigil.Caching;

namespace Vigil.Config;

/// <summary>
/// An RFC 9111 shared cache that routes may name with <c>cache:</c>. The YAML keys are the Caching
/// library's own <see cref="CacheOptions"/> (defaults and rules live there, once); the host adds nothing
/// of its own yet, and wraps the options rather than copying them so no key can be dropped on the way.
/// </summary>
public sealed record CacheConfig
{
    public required CacheOptions Options { get; init; }

    public string Name => Options.Name;
}
