using Microsoft.Extensions.Logging;

namespace LspLlama.Logging;

/// <summary>
/// A small logger factory: every logger writes to the same sinks under one level switch.
/// (The full Microsoft.Extensions.Logging stack is more than a stdio server needs.)
/// </summary>
public sealed class ServerLoggerFactory(LogLevelSwitch level, IReadOnlyList<ILogSink> sinks) : ILoggerFactory
{
    public LogLevelSwitch Level => level;

    public ILogger CreateLogger(string categoryName) => new ServerLogger(categoryName, this);

    public void AddProvider(ILoggerProvider provider) =>
        throw new NotSupportedException("log sinks are fixed when the server starts");

    public void Dispose()
    {
    }

    private void Write(LogLevel logLevel, string category, string message, Exception? exception)
    {
        foreach (ILogSink sink in sinks)
        {
            sink.Write(logLevel, category, message, exception);
        }
    }

    private sealed class ServerLogger(string category, ServerLoggerFactory factory) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => factory.Level.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                factory.Write(logLevel, category, formatter(state, exception), exception);
            }
        }
    }
}
