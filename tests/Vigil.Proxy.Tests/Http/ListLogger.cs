using Microsoft.Extensions.Logging;

namespace Vigil.Proxy.Tests.Http;

/// <summary>
/// Keeps every log line written at or above a level, with its event id and any exception attached, for
/// assertions about what operators see (one line, the right event, never a stack trace).
/// </summary>
internal class ListLogger(LogLevel minimum = LogLevel.Information) : ILogger, ILoggerProvider
{
    private readonly List<(LogLevel Level, string Message, int EventId, Exception? Exception)> _lines = [];

    public IReadOnlyList<(LogLevel Level, string Message, int EventId, Exception? Exception)> Lines
    {
        get { lock (_lines) return _lines.ToList(); }
    }

    /// <summary>As a provider (Kestrel's own logs, every category): one list for all of them.</summary>
    public ILogger CreateLogger(string categoryName) => this;
    public void Dispose() { }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
    public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel)) return;
        lock (_lines) _lines.Add((logLevel, formatter(state, exception), eventId.Id, exception));
    }
}

/// <summary>A <see cref="ListLogger"/> where a type-named logger is wanted (<c>ILogger&lt;HttpCache&gt;</c>).</summary>
internal sealed class ListLogger<T>(LogLevel minimum = LogLevel.Information) : ListLogger(minimum), ILogger<T>;
