using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Vigil.Balancing;
using Vigil.Balancing.Health;
using Vigil.Config;
using Vigil.Hosting;
using Vigil.Proxy.Http.Upstream;
using Vigil.Proxy.Tcp;
using static Vigil.Fuzz.InvariantException;

namespace Vigil.Fuzz;

/// <summary>
/// A config file's text → <see cref="ConfigLoader.LoadText(string, string, string?, Func{string, IPAddress[]})"/>.
/// It must never throw: every input is either a config or a list of errors, each on a line of the file.
/// And what check accepts, run can build: the generation (pools, caches, http proxies), the tcp
/// listeners and the VRRP options are made from it without an exception (nothing is started or bound).
/// Names resolve without DNS (localhost only; anything else fails as an unknown name would).
/// </summary>
internal static class ConfigTarget
{
    private static readonly IPAddress[] Loopback = [IPAddress.Loopback];
    private static readonly System.Text.RegularExpressions.Regex LineBreaks = new("\r\n|[\r\n\u0085\u2028\u2029]");
    private static readonly RuntimeServices Services = new(TimeProvider.System, NullLoggerFactory.Instance, new NoUpstream(), new HealthProbeFactory());
    private static readonly string Scratch = Path.Combine(Path.GetTempPath(), $"vigil-fuzz-{Environment.ProcessId}");

    public static void Run(ReadOnlySpan<byte> input)
    {
        var text = Encoding.UTF8.GetString(input);
        var result = ConfigLoader.LoadText(text, "fuzz.yaml", baseDirectory: null, Resolve);
        Check(result.IsValid == result.Config is not null, "valid without a config, or a config with errors");
        // Lines as YAML counts them (YAML 1.1 §5.4, which YamlDotNet follows): CR LF, CR, LF, NEL, LS, PS.
        var lines = 1 + LineBreaks.Count(text);
        foreach (var error in result.Errors)
        {
            Check(error.File == "fuzz.yaml", $"error names file '{error.File}'");
            Check(error.Line >= 1 && error.Line <= lines + 1, $"error at line {error.Line} of {lines}: {error.Message}");
            Check(!string.IsNullOrWhiteSpace(error.Message), "an error without a message");
        }
        if (result.Config is { } config) Build(config);
    }

    /// <summary>What `vigil run` makes of a checked config before it binds anything.</summary>
    private static void Build(VigilConfig config)
    {
        // Disk caches go to a scratch folder, never where the fuzzed text points.
        var i = 0;
        config = config with
        {
            Caches = config.Caches.Select(c => c.Options.DiskPath is null ? c : c with { Options = c.Options with { DiskPath = Path.Combine(Scratch, $"c{i++}") } }).ToList(),
        };
        try
        {
            Generation generation;
            try
            {
                generation = Generation.Build(1, config, previous: null, Services);
            }
            catch (Exception e)
            {
                throw new InvariantException($"check accepted a config that run cannot build: {e.GetType().Name}: {e.Message}");
            }
            foreach (var cache in generation.Caches.Values) cache.Dispose();
            foreach (var listener in config.Listeners.Where(l => l.Protocol == ListenerProtocol.Tcp))
                _ = new TcpProxyListener(listener.Tcp ?? throw new InvariantException($"tcp listener {listener.Name} has no options"), () => null);
            foreach (var vrrp in config.Vrrp)
            {
                _ = vrrp.ToOptions();
                _ = vrrp.ToAnnounceOptions();
                if (vrrp.Transport == VrrpTransportKind.Raw) _ = vrrp.ToRawTransportOptions();
            }
        }
        finally
        {
            if (i > 0 && Directory.Exists(Scratch)) Directory.Delete(Scratch, recursive: true);
        }
    }

    private static IPAddress[] Resolve(string host) =>
        host == "localhost" ? Loopback : throw new SocketException((int)SocketError.HostNotFound);

    /// <summary>Building a generation never forwards; a request reaching this would be a bug in the target.</summary>
    private sealed class NoUpstream : IUpstream
    {
        public ValueTask<UpstreamResult> ForwardAsync(HttpContext context, Backend backend, PoolOptions pool, CancellationToken cancellationToken) =>
            throw new NotSupportedException();
    }
}
