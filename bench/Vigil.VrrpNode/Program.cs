// Runs one VRRP instance with a raw transport on an interface until SIGTERM/SIGINT, then resigns
// (priority 0) and releases its addresses. Used by bench/vrrp-failover.sh inside network namespaces.
// usage: Vigil.VrrpNode IFACE SOURCE PRIORITY INTERVAL_MS VIP/PREFIX [VERSION]
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using Vigil.Vrrp;
using Vigil.Vrrp.Addresses;
using Vigil.Vrrp.Runtime;
using Vigil.Vrrp.Transport;

if (args.Length < 5)
{
    Console.Error.WriteLine("usage: Vigil.VrrpNode IFACE SOURCE PRIORITY INTERVAL_MS VIP/PREFIX [VERSION]");
    return 2;
}

var options = new VrrpInstanceOptions
{
    Name = "bench",
    Vrid = 51,
    Priority = byte.Parse(args[2], CultureInfo.InvariantCulture),
    AdvertInterval = TimeSpan.FromMilliseconds(int.Parse(args[3], CultureInfo.InvariantCulture)),
    VirtualAddresses = [VirtualAddress.Parse(args[4])],
    Version = args.Length > 5 ? byte.Parse(args[5], CultureInfo.InvariantCulture) : (byte)3,
};
using var loop = new VrrpTimerLoop();
var transport = new RawVrrpTransport(new RawTransportOptions { Interface = args[0], SourceAddress = IPAddress.Parse(args[1]) });
await using var instance = new VrrpInstance(options, transport, new InterfaceAddressActuator(args[0], options.VirtualAddresses), loop);
instance.StateChanged += (_, e) => Console.WriteLine($"{DateTime.UtcNow:HH:mm:ss.ffffff} {e.From} -> {e.To}");

var stop = new TaskCompletionSource();
using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.TrySetResult(); });
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.TrySetResult(); });
await instance.StartAsync();
await stop.Task;
await instance.StopAsync();
Console.WriteLine($"stopped; timer lateness mean {loop.MeanLateness.TotalMilliseconds:F3} ms, max {loop.MaxLateness.TotalMilliseconds:F3} ms");
return 0;
