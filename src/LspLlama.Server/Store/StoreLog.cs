using Microsoft.Extensions.Logging;

namespace LspLlama.Store;

public static partial class StoreLog
{
    [LoggerMessage(EventId = 7001, Level = LogLevel.Warning, Message = "Ignoring the stored session {Path}: {Reason}; removing it")]
    public static partial void Rejected(this ILogger logger, string path, string reason, Exception? exception);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Warning, Message = "Could not save the session to {Path}: {Reason}; the previous file is kept")]
    public static partial void SaveFailed(this ILogger logger, string path, string reason, Exception? exception);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Warning, Message = "Could not read the stored session {Path}: {Reason}")]
    public static partial void ReadFailed(this ILogger logger, string path, string reason, Exception? exception);

    [LoggerMessage(EventId = 7004, Level = LogLevel.Information, Message = "Evicted the stored session {Path} ({Bytes} bytes, last used {LastUsedUtc:u}) to stay under {LimitMiB} MiB")]
    public static partial void Evicted(this ILogger logger, string path, long bytes, DateTime lastUsedUtc, long limitMiB);

    [LoggerMessage(EventId = 7005, Level = LogLevel.Information, Message = "Saved the session {Path}: {Tokens} tokens, {Checkpoints} checkpoints, {Bytes} bytes in {Milliseconds} ms")]
    public static partial void Saved(this ILogger logger, string path, int tokens, int checkpoints, long bytes, long milliseconds);

    [LoggerMessage(EventId = 7006, Level = LogLevel.Warning, Message = "Could not remove {Path}: {Reason}")]
    public static partial void RemoveFailed(this ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 7007, Level = LogLevel.Information, Message = "Found a stored session {Path}: {Tokens} tokens, {Checkpoints} checkpoints, saved {SavedUtc:u}")]
    public static partial void Found(this ILogger logger, string path, int tokens, int checkpoints, DateTime savedUtc);
}
