namespace Vigil.Tests.Hosting;

/// <summary>`vigil status` reads the live admin API and prints it as tables.</summary>
[Collection("console")]
public sealed class StatusCommandTests
{
    [Fact]
    public async Task Status_prints_pools_and_backends_as_a_table()
    {
        await using var f = await DaemonFixture.StartAsync();
        (await f.Admin.PostAsync($"/api/pools/web/backends/{f.Backend(1)}/disable", null)).EnsureSuccessStatusCode();
        var output = new StringWriter();
        var stdout = Console.Out;
        Console.SetOut(output);
        int code;
        try
        {
            code = await Cli.RunAsync(["status", "--admin", $"http://127.0.0.1:{f.AdminPort}"]);
        }
        finally
        {
            Console.SetOut(stdout);
        }
        Assert.Equal(0, code);
        var lines = output.ToString().Split('\n');
        Assert.Contains(lines, l => l.StartsWith("pool web (round-robin, 2 eligible)"));
        Assert.Contains(lines, l => l.StartsWith("BACKEND") && l.Contains("STATE") && l.Contains("REASON"));
        Assert.Contains(lines, l => l.StartsWith(f.Backend(1)) && l.Contains("disabled"));
        Assert.Contains(lines, l => l.StartsWith(f.Backend(0)) && l.Contains(" up "));
    }

    [Fact]
    public async Task Status_fails_clearly_when_the_admin_api_is_unreachable()
    {
        var error = new StringWriter();
        var stderr = Console.Error;
        Console.SetError(error);
        try
        {
            Assert.Equal(1, await Cli.RunAsync(["status", "--admin", $"http://127.0.0.1:{DaemonFixture.FreePort()}"]));
        }
        finally
        {
            Console.SetError(stderr);
        }
        Assert.Contains("cannot read", error.ToString());
    }
}
