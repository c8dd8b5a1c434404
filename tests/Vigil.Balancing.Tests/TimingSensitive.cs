namespace Vigil.Balancing.Tests;

/// <summary>
/// Tests that run real intervals (probers) or spin CPUs (concurrent picks) share this collection,
/// so xUnit runs them one after another instead of letting one starve the other.
/// </summary>
[CollectionDefinition(Name)]
public sealed class TimingSensitive
{
    public const string Name = "timing-sensitive";
}
