namespace Vigil.Config;

/// <summary>
/// A secret from the config (admin token, VRRPv2 password): printed as <c>(hidden)</c> so that logging
/// a config record, or an exception that includes one, never leaks it.
/// </summary>
public readonly record struct Secret(string Value)
{
    public override string ToString() => "(hidden)";

    /// <summary>Where a string is needed (an Authorization check, a packet), the secret is its value.</summary>
    public static implicit operator string(Secret secret) => secret.Value;
}
