using System.Net;
using System.Text.Json;

namespace Vigil.Tests.Hosting;

/// <summary>The effective configuration through the real command line and the running admin API.</summary>
[Collection("console")]
public sealed class EffectiveCommandTests
{
    [Fact]
    public async Task Check_effective_prints_yaml_with_defaults()
    {
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(path, "pools: { web: { backends: [ 127.0.0.1:8081 ] } }\nlisteners:\n  - { name: www, listen: 127.0.0.1:8080, routes: [ { pool: web } ] }\n");
            var output = new StringWriter();
            var stdout = Console.Out;
            Console.SetOut(output);
            int code;
            try
            {
                code = await Cli.RunAsync(["check", "--effective", "-c", path]);
            }
            finally
            {
                Console.SetOut(stdout);
            }
            Assert.Equal(0, code);
            Assert.Contains("    drain_timeout: 30s\n", output.ToString());
            Assert.Contains("    response_timeout: 30s\n", output.ToString());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Admin_api_answers_the_running_config()
    {
        await using var f = await DaemonFixture.StartAsync(origins: 1);
        using var response = await f.Admin.GetAsync("/api/config");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var pool = doc.RootElement.GetProperty("pools").EnumerateObject().First().Value;
        Assert.Equal(1, pool.GetProperty("retries").GetInt32());
        Assert.Equal($"127.0.0.1:{f.ListenPort}", doc.RootElement.GetProperty("listeners")[0].GetProperty("listen").GetString());
    }
}
