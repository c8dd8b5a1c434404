using Microsoft.Extensions.Logging;

namespace Vigil.Proxy.Tests.Http;

/// <summary>Keeps every log line written at or above a level, for assertions about what operators see.</summary>
internal sealed class ListLogger(LogLevel minimum = LogLevel.Information) : ILogger
{
    private readonly List<(LogLevel Level, string Message)> _lines = [];

    public IReadOnlyList<(LogLevel Level, string Message)> Lines
    {
        get { lock (_lines) return _lines.ToList(); }
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
    public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel)) return;
        lock (_lines) _lines.Add((logLevel, formatter(state, exception)));
    }
}
