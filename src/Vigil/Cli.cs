using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Vigil.Admin;
using Vigil.Balancing.Health;
using Vigil.Config;
using Vigil.Demo;
using Vigil.Hosting;
using Vigil.Proxy.Http.Upstream;

namespace Vigil;

/// <summary>The <c>vigil</c> command line: run, check, demo, status.</summary>
public static class Cli
{
    private const string Usage = """
        usage:
          vigil run -c FILE            run the daemon (SIGHUP or POST /api/reload reloads FILE)
          vigil check -c FILE          validate FILE; prints file:line: reason for each error, exit 1 if any
          vigil check --effective -c FILE   validate, then print the configuration with every default filled in
          vigil demo                   the built-in demo on loopback: origins, balancer, admin API
          vigil status [--admin URL]   the admin API's status as a table (default http://127.0.0.1:9090)
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        try
        {
            return await RunCommandAsync(args);
        }
        catch (Exception ex)
        {
            // The last line of defence: every failure is one line and exit 1, never a stack trace or an abort.
            Console.Error.WriteLine($"vigil: {ex.Message.ReplaceLineEndings(" ")}");
            return 1;
        }
    }

    private static async Task<int> RunCommandAsync(string[] args)
    {
        var command = args.Length > 0 ? args[0] : "help";
        var config = Option(args, "-c", "--config");
        switch (command)
        {
            case "run" when config is not null:
                return await RunDaemonAsync(config);
            case "check" when config is not null:
                return Check(config, args.Contains("--effective"));
            case "demo":
                return await DemoCommand.RunAsync(args.Contains("--no-script"), CreateLoggerFactory(), once: args.Contains("--once"));
            case "status":
                return await StatusAsync(Option(args, "--admin") ?? "http://127.0.0.1:9090", args.Contains("--json"));
            case "help" or "-h" or "--help":
                Console.WriteLine(Usage);
                return 0;
            default:
                Console.Error.WriteLine(Usage);
                return 2;
        }
    }

    private static string? Option(string[] args, params string[] names)
    {
        for (var i = 1; i < args.Length - 1; i++)
            if (names.Contains(args[i])) return args[i + 1];
        return null;
    }

    /// <summary>`vigil check`: like `nginx -t`, every error at once, exit 1 when there is any.</summary>
    /// <remarks>
    /// The same <see cref="ConfigLoader.LoadFile"/> that `run` and every reload call, library rules
    /// included: what check accepts, run builds. With <paramref name="effective"/>, prints the
    /// configuration as it would run, defaults filled in and secrets redacted.
    /// </remarks>
    public static int Check(string path, bool effective = false)
    {
        var result = ConfigLoader.LoadFile(path);
        foreach (var error in result.Errors) Console.Error.WriteLine(error);
        if (!result.IsValid) return 1;
        if (effective) Console.Write(EffectiveConfig.ToYaml(result.Config!));
        else Console.WriteLine($"{path}: configuration is valid");
        return 0;
    }

    private static async Task<int> RunDaemonAsync(string path)
    {
        using var loggerFactory = CreateLoggerFactory();
        await using var daemon = CreateDaemon(() => ConfigLoader.LoadFile(path), loggerFactory);
        try
        {
            await daemon.StartAsync(CancellationToken.None);
        }
        catch (ConfigException ex)
        {
            foreach (var error in ex.Errors) Console.Error.WriteLine(error);
            Console.Error.WriteLine("vigil: refusing to start with an invalid configuration");
            return 1;
        }
        catch (StartException ex)
        {
            Console.Error.WriteLine($"vigil: {ex.Message}");
            return 1;
        }
        await WaitForShutdownAsync(daemon);
        return 0;
    }

    /// <summary>Blocks until SIGTERM/SIGINT; SIGHUP reloads.</summary>
    internal static async Task WaitForShutdownAsync(Daemon daemon)
    {
        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var hup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            _ = daemon.ReloadAsync();
        });
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; stop.TrySetResult(); });
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => { context.Cancel = true; stop.TrySetResult(); });
        await stop.Task;
    }

    internal static Daemon CreateDaemon(Func<ConfigLoadResult> load, ILoggerFactory loggerFactory)
    {
        var services = new RuntimeServices(TimeProvider.System, loggerFactory, UpstreamFactory.Create(UpstreamFactory.FromEnvironment(), loggerFactory), new HealthProbeFactory());
        return new Daemon(load, services);
    }

    internal static ILoggerFactory CreateLoggerFactory() => LoggerFactory.Create(logging => logging
        .AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; })
        .AddFilter("Microsoft", LogLevel.Warning)
        .AddFilter("System", LogLevel.Warning)
        // YARP logs every failed forward at Warning; Vigil counts those in metrics and logs state changes instead.
        .AddFilter("Yarp", LogLevel.Error)
        .SetMinimumLevel(LogLevel.Information));

    private static async Task<int> StatusAsync(string admin, bool json)
    {
        using var http = new HttpClient { BaseAddress = new Uri(admin), Timeout = TimeSpan.FromSeconds(5) };
        var token = Environment.GetEnvironmentVariable("VIGIL_ADMIN_TOKEN");
        if (!string.IsNullOrEmpty(token)) http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        try
        {
            var status = await http.GetFromJsonAsync<JsonElement>("/api/status");
            Console.Write(json ? JsonSerializer.Serialize(status, AdminServer.Json) + "\n" : StatusTable.Render(status));
            return 0;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException)
        {
            Console.Error.WriteLine($"vigil: cannot read {admin}/api/status: {ex.Message}");
            return 1;
        }
    }
}
