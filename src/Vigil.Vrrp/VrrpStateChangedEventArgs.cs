using Vigil.Vrrp.Election;

namespace Vigil.Vrrp;

/// <summary>An instance changed state; raised after its addresses were taken or released.</summary>
public sealed class VrrpStateChangedEventArgs(string instance, VrrpState from, VrrpState to, byte priority) : EventArgs
{
    public string Instance { get; } = instance;
    public VrrpState From { get; } = from;
    public VrrpState To { get; } = to;
    public byte Priority { get; } = priority;
}
