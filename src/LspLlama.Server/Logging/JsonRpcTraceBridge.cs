using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace LspLlama.Logging;

/// <summary>
/// Routes StreamJsonRpc's own warnings (a notification whose parameters did not deserialize, a
/// handler that threw) into the server log, so that an ignored bad notification is never silent.
/// </summary>
public sealed class JsonRpcTraceBridge(ILogger logger) : TraceListener
{
    /// <param name="verbose">Also route StreamJsonRpc's message-level tracing (at log level trace).</param>
    public static TraceSource CreateSource(ILogger logger, bool verbose)
    {
        TraceSource source = new("StreamJsonRpc", verbose ? SourceLevels.All : SourceLevels.Warning);
        source.Listeners.Clear();
        source.Listeners.Add(new JsonRpcTraceBridge(logger));
        return source;
    }

    public override void TraceEvent(TraceEventCache? eventCache, string source, TraceEventType eventType, int id, string? message) =>
        Log(eventType, message ?? string.Empty);

    public override void TraceEvent(TraceEventCache? eventCache, string source, TraceEventType eventType, int id, string? format, params object?[]? args) =>
        Log(eventType, args is null || format is null ? format ?? string.Empty : string.Format(CultureInfo.InvariantCulture, format, args));

    public override void TraceData(TraceEventCache? eventCache, string source, TraceEventType eventType, int id, object? data)
    {
        // TraceData carries objects (exceptions, messages) that TraceEvent already described in words.
    }

    public override void TraceData(TraceEventCache? eventCache, string source, TraceEventType eventType, int id, params object?[]? data)
    {
    }

    public override void Write(string? message)
    {
    }

    public override void WriteLine(string? message)
    {
    }

    private void Log(TraceEventType eventType, string message)
    {
        LogLevel level = eventType switch
        {
            TraceEventType.Critical or TraceEventType.Error => LogLevel.Error,
            TraceEventType.Warning => LogLevel.Warning,
            _ => LogLevel.Trace,
        };
        logger.Log(level, "{Message}", message);
    }
}
