using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Logging;
using StreamJsonRpc;

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

    public override void TraceEvent(TraceEventCache? eventCache, string source, TraceEventType eventType, int id, string? format, params object?[]? args)
    {
        if (IsDeliberateErrorAnswer(format, args))
        {
            // A handler refused a client's mistake (a second initialize, bad params) with an error
            // answer: the client got the reason, and a stack trace at error level would read as a crash.
            eventType = TraceEventType.Verbose;
            args = args!.Select(a => a is Exception e ? Unwrap(e).Message : a).ToArray();
        }

        Log(eventType, args is null || format is null ? format ?? string.Empty : string.Format(CultureInfo.InvariantCulture, format, args));
    }

    private static bool IsDeliberateErrorAnswer(string? format, object?[]? args) =>
        args is not null
        && (args.Any(a => a is Exception e && Unwrap(e) is LocalRpcException)
            // "An exception of type {0} was thrown but is not serializable": StreamJsonRpc's note
            // that it answers with the message only, which is all a LocalRpcException means to send.
            || (format?.Contains("not serializable", StringComparison.Ordinal) == true
                && args.Any(a => a is Type t ? t == typeof(LocalRpcException)
                    : a is string type && type.StartsWith(typeof(LocalRpcException).FullName!, StringComparison.Ordinal))));

    private static Exception Unwrap(Exception e) =>
        e is TargetInvocationException or AggregateException && e.InnerException is { } inner ? Unwrap(inner) : e;

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
