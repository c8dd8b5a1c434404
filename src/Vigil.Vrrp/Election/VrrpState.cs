namespace Vigil.Vrrp.Election;

/// <summary>The three states of a virtual router (RFC 9568 §6.4).</summary>
public enum VrrpState
{
    Initialize,
    Backup,
    Master,
}
