using Microsoft.Extensions.Logging;

namespace Vigil.Caching;

/// <summary>The cache's log messages. Per-request lines are Debug: they are counted in metrics, not logged at Information.</summary>
internal static partial class CacheLog
{
    [LoggerMessage(EventId = 4101, Level = LogLevel.Debug, Message = "cache {Cache}: {Key} not stored: the origin's response was {Outcome}")]
    public static partial void Incomplete(ILogger logger, string cache, string key, OriginOutcome outcome);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Warning, Message = "cache {Cache}: {Key} not stored: {Reason}")]
    public static partial void Rejected(ILogger logger, string cache, string key, string reason);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Debug, Message = "cache {Cache}: background fetch of {Key} failed or was abandoned: {Reason}")]
    public static partial void BackgroundFailed(ILogger logger, string cache, string key, string reason);
}
