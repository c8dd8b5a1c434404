namespace Vigil.Tests.Hostile;

/// <summary>
/// One hostile exchange: the bytes a first client (the attacker, or the innocent that triggers a hostile
/// origin answer) sends, and what the origin does with each request. <see cref="Scenario"/> follows it
/// with innocent clients and checks the invariant.
/// </summary>
public sealed class HostileCase
{
    public const string Host = "hostile.test";

    public required string Name { get; init; }
    /// <summary>Exactly what the first client sends.</summary>
    public required string Request { get; init; }
    /// <summary>Sent by the first client after it has read a response (or given up waiting): a body that comes late.</summary>
    public string? Later { get; init; }
    /// <summary>The first client's request is HEAD: its response has no body whatever its fields say.</summary>
    public bool IsHead { get; init; }
    /// <summary>The origin's reply to a request, or null for the default marker answer.</summary>
    public Func<OriginRequest, OriginReply?>? Script { get; init; }
    /// <summary>Targets the first client's bytes may reach the origin with, once each; any other unknown target is a smuggled request.</summary>
    public IReadOnlySet<string> OwnTargets { get; init; } = new HashSet<string> { "/attack" };
    /// <summary>Markers of responses the first client may receive: its own.</summary>
    public IReadOnlySet<string> OwnMarkers { get; init; } = new HashSet<string> { "attacker" };
    /// <summary>How long the first client waits for its response; short, since a refused attack may get none.</summary>
    public TimeSpan AttackerTimeout { get; init; } = TimeSpan.FromMilliseconds(1000);

    /// <summary>Why HAProxy is not held to this case (Vigil is asked to be stricter), or null.</summary>
    public string? HaproxyGap { get; init; }

    public override string ToString() => Name;
}
