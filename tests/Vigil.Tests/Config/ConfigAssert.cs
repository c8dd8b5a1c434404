using System.Net;
using Vigil.Config;

namespace Vigil.Tests.Config;

/// <summary>Loads YAML text in tests and asserts on errors by exact line.</summary>
internal static class ConfigAssert
{
    public const string FileName = "test.yaml";

    /// <summary>Resolves test host names without DNS: <c>db.test</c> → 192.0.2.10, anything else fails.</summary>
    public static IPAddress[] Resolve(string host) => host == "db.test"
        ? [IPAddress.Parse("2001:db8::10"), IPAddress.Parse("192.0.2.10")]
        : throw new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.HostNotFound);

    public static ConfigLoadResult Load(string yaml) => ConfigLoader.LoadText(yaml, FileName, null, Resolve);

    public static VigilConfig Valid(string yaml)
    {
        var result = Load(yaml);
        Assert.True(result.IsValid, "unexpected errors:\n" + string.Join("\n", result.Errors));
        return result.Config!;
    }

    /// <summary>Asserts the text yields exactly one error, on <paramref name="line"/>, whose message contains every fragment.</summary>
    public static ConfigError Single(string yaml, int line, params string[] fragments)
    {
        var result = Load(yaml);
        Assert.Null(result.Config);
        var error = Assert.Single(result.Errors);
        Assert.Equal(line, error.Line);
        foreach (var f in fragments) Assert.Contains(f, error.Message);
        Assert.StartsWith($"{FileName}:{line}: ", error.ToString());
        return error;
    }

    /// <summary>A minimal valid file followed by <paramref name="tail"/>; the prefix is 8 lines long.</summary>
    public const string Prefix = """
        pools:
          web:
            backends:
              - { address: 127.0.0.1:8081 }
        listeners:
          - name: www
            listen: 127.0.0.1:8080
            routes: [ { pool: web } ]

        """;
}
