using Microsoft.Extensions.Logging;
using Vigil.Demo;

namespace Vigil.Tests.Hosting;

/// <summary>`vigil demo --once`: the scripted failovers run end to end on the demo's fixed loopback ports.</summary>
[Collection("console")]
public sealed class DemoTests
{
    [Fact]
    public async Task Demo_script_loses_no_request_when_an_origin_stops_and_the_backup_takes_the_virtual_address()
    {
        var output = new StringWriter();
        var errors = new ErrorLog();
        var stdout = Console.Out;
        Console.SetOut(output);
        int code;
        try
        {
            using var logs = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Error).AddProvider(errors));
            code = await DemoCommand.RunAsync(noScript: false, logs, once: true);
        }
        finally
        {
            Console.SetOut(stdout);
        }
        var text = output.ToString();
        Assert.True(code == 0, text);
        Assert.Contains("left the pool after", text);
        Assert.Matches(@"\[demo\] done: \d+ requests answered, 0 failed", text);
        Assert.Matches(@"lb2 became master after \d+ ms", text);
        Assert.Matches(@"lb1 is master again after \d+ ms, lb2 is backup", text);
        // lb1's return binds the virtual address while lb2 still holds it for the handover hold: the bind is
        // retried, and nothing in that is an error an operator should read.
        Assert.Empty(errors.Lines);
    }

    private sealed class ErrorLog : ILoggerProvider, ILogger
    {
        public System.Collections.Concurrent.ConcurrentQueue<string> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) Lines.Enqueue($"{logLevel}: {formatter(state, exception)}");
        }

        public void Dispose()
        {
        }
    }
}
