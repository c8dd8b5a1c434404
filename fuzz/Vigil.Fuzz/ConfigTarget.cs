using System.Net;
using System.Net.Sockets;
using System.Text;
using Vigil.Config;
using static Vigil.Fuzz.InvariantException;

namespace Vigil.Fuzz;

/// <summary>
/// A config file's text → <see cref="ConfigLoader.LoadText(string, string, string?, Func{string, IPAddress[]})"/>.
/// It must never throw: every input is either a config or a list of errors, each on a line of the file.
/// Names resolve without DNS (localhost only; anything else fails as an unknown name would).
/// </summary>
internal static class ConfigTarget
{
    private static readonly IPAddress[] Loopback = [IPAddress.Loopback];

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
    }

    private static readonly System.Text.RegularExpressions.Regex LineBreaks = new("\r\n|[\r\n\u0085\u2028\u2029]");

    private static IPAddress[] Resolve(string host) =>
        host == "localhost" ? Loopback : throw new SocketException((int)SocketError.HostNotFound);
}
