using Vigil.Config;
using static Vigil.Tests.Config.ConfigAssert;

namespace Vigil.Tests.Config;

/// <summary>
/// The admin token from <c>token_file</c> is held to the same rule as an inline one, at check, run
/// and reload alike (they all load through the parser): an empty or short file must not turn the
/// API's authentication off.
/// </summary>
public sealed class AdminTokenTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("vigil-token-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string TokenFile(string content)
    {
        var path = Path.Combine(_directory, "admin.token");
        File.WriteAllText(path, content);
        return path;
    }

    private static string Config(string tokenFile) => $$"""
        pools: { p: { backends: [ 127.0.0.1:1 ] } }
        admin: { listen: 0.0.0.0:9090, token_file: {{tokenFile}} }
        """;

    [Theory]
    [InlineData("")]
    [InlineData("   \n\t \n")]
    [InlineData("abcde")]
    [InlineData("  0123456789abcde  \n")] // 15 characters once trimmed
    public void A_short_token_file_is_refused(string content) =>
        Single(Config(TokenFile(content)), 2, "admin.token_file", "at least 16 characters");

    [Fact]
    public void A_missing_token_file_is_refused() =>
        Single(Config(Path.Combine(_directory, "absent.token")), 2, "admin.token_file", "cannot read");

    [Fact]
    public void A_token_file_is_read_and_trimmed()
    {
        var c = Valid(Config(TokenFile("0123456789abcdef0123\n")));
        Assert.Equal("0123456789abcdef0123", c.Admin.Token!.Value.Value);
        Assert.DoesNotContain("0123456789abcdef", c.Admin.ToString());
    }

    [Fact]
    public void An_inline_token_is_measured_after_trimming() => Single("""
        pools: { p: { backends: [ 127.0.0.1:1 ] } }
        admin: { listen: 0.0.0.0:9090, token: "       abc        " }
        """, 2, "admin.token", "at least 16 characters");

    [Fact]
    public void Metrics_public_is_read() =>
        Assert.True(Valid("""
            pools: { p: { backends: [ 127.0.0.1:1 ] } }
            admin: { token: 0123456789abcdef0123, metrics_public: true }
            """).Admin.MetricsPublic);
}
