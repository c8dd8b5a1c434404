using System.Net.NetworkInformation;
using Vigil.Vrrp.Transport;

namespace Vigil.Vrrp.Tracking;

/// <summary>
/// keepalived's <c>track_interface</c> with a weight: while the interface is not operationally up, the (negative)
/// weight applies. Polled (default every second) in the instance's network namespace.
/// </summary>
public sealed class InterfaceTracker : IAsyncDisposable
{
    private readonly PriorityAdjustments _target;
    private readonly string _interface;
    private readonly int _weight;
    private readonly TimeSpan _interval;
    private readonly string? _netns;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stopping = new();
    private Task? _loop;

    public InterfaceTracker(PriorityAdjustments target, string interfaceName, int weight, TimeSpan? interval = null,
        string? networkNamespace = null, TimeProvider? time = null)
    {
        _target = target;
        _interface = interfaceName;
        _weight = weight;
        _interval = interval ?? TimeSpan.FromSeconds(1);
        _netns = networkNamespace;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The last state seen (null before the first poll).</summary>
    public bool? IsUp { get; private set; }

    public void Start() => _loop = Task.Run(() => RunAsync(_stopping.Token));

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_interval, _time);
        do
        {
            var up = NetworkNamespace.Run(_netns, () =>
                NetworkInterface.GetAllNetworkInterfaces().FirstOrDefault(n => n.Name == _interface)?.OperationalStatus
                    is OperationalStatus.Up or OperationalStatus.Unknown);
            if (up != IsUp)
            {
                IsUp = up;
                _target.Set("interface:" + _interface, up ? 0 : _weight);
            }
        }
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            try
            {
                await _loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
        _stopping.Dispose();
    }
}
