namespace Vigil.Tests.Hosting;

/// <summary>`vigil check` and `vigil run` refuse a bad file with file:line: reason, like nginx -t.</summary>
[Collection("console")]
public sealed class CheckCommandTests
{
    [Fact]
    public async Task Check_prints_every_error_with_file_and_line_and_exits_1()
    {
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(path, """
                pools:
                  web:
                    scheduler: fastest
                    backends:
                      - { address: 127.0.0.1:8081, weight: 900 }
                listeners:
                  - { name: www, protocol: http, listen: 127.0.0.1:8080, routes: [ { pool: nope } ] }
                """);
            var (code, output) = await RunAsync(["check", "-c", path]);
            Assert.Equal(1, code);
            var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Contains(lines, l => l.StartsWith($"{path}:3: ") && l.Contains("fastest"));
            Assert.Contains(lines, l => l.StartsWith($"{path}:5: ") && l.Contains("weight"));
            Assert.Contains(lines, l => l.StartsWith($"{path}:7: ") && l.Contains("nope"));

            (code, output) = await RunAsync(["run", "-c", path]);
            Assert.Equal(1, code);
            Assert.Contains("refusing to start", output);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Check_accepts_a_valid_file()
    {
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(path, Demo.DemoCommand.ConfigText());
            var (code, output) = await RunAsync(["check", "-c", path]);
            Assert.Equal(0, code);
            Assert.Contains("valid", output);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static async Task<(int Code, string Output)> RunAsync(string[] args)
    {
        var output = new StringWriter();
        var (stdout, stderr) = (Console.Out, Console.Error);
        Console.SetOut(output);
        Console.SetError(output);
        try
        {
            var code = await Cli.RunAsync(args);
            return (code, output.ToString());
        }
        finally
        {
            Console.SetOut(stdout);
            Console.SetError(stderr);
        }
    }
}
