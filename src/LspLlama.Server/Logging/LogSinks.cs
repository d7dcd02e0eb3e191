using Microsoft.Extensions.Logging;

namespace LspLlama.Logging;

/// <summary>Where formatted log entries go.</summary>
public interface ILogSink
{
    void Write(LogLevel level, string category, string message, Exception? exception);
}

/// <summary>The minimum level, shared by every logger and changed by settings at run time.</summary>
public sealed class LogLevelSwitch(LogLevel minimum)
{
    private volatile int _minimum = (int)minimum;

    public LogLevel Minimum
    {
        get => (LogLevel)_minimum;
        set => _minimum = (int)value;
    }

    public bool IsEnabled(LogLevel level) => level != LogLevel.None && level >= Minimum;
}

/// <summary>Writes one line per entry to stderr (never stdout: that is the transport).</summary>
public sealed class TextWriterLogSink(TextWriter writer) : ILogSink
{
    private readonly object _gate = new();

    public void Write(LogLevel level, string category, string message, Exception? exception)
    {
        string line = $"{DateTime.UtcNow:HH:mm:ss.fff} {Short(level)} {category}: {message}";
        lock (_gate)
        {
            writer.WriteLine(line);
            if (exception is not null)
            {
                writer.WriteLine(exception.ToString());
            }

            writer.Flush();
        }
    }

    private static string Short(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        _ => "crit",
    };
}
