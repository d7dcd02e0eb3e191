using LspLlama.Protocol;
using Microsoft.Extensions.Logging;
using StreamJsonRpc;

namespace LspLlama.Logging;

/// <summary>
/// Mirrors log entries to the client as <c>window/logMessage</c>. Silent until the server has
/// seen <c>initialize</c> (LSP forbids earlier notifications) and after the connection is gone.
/// </summary>
public sealed class ClientLogSink : ILogSink
{
    [ThreadStatic]
    private static bool t_sending;

    private JsonRpc? _rpc;
    private volatile bool _enabled;

    public void Attach(JsonRpc rpc) => _rpc = rpc;

    public void Enable() => _enabled = true;

    public void Disable() => _enabled = false;

    /// <summary>Whether entries reach the client now (initialized, connection up).</summary>
    public bool Delivering => _enabled && _rpc is { IsDisposed: false };

    public void Write(LogLevel level, string category, string message, Exception? exception)
    {
        JsonRpc? rpc = _rpc;
        if (!_enabled || rpc is null || rpc.IsDisposed || t_sending)
        {
            return;
        }

        // A failure to send is itself logged by the RPC layer; the flag stops that from looping.
        t_sending = true;
        try
        {
            string text = exception is null ? $"{category}: {message}" : $"{category}: {message}\n{Describe(exception)}";
            _ = SendAsync(rpc, new LogMessageParams(ToMessageType(level), text));
        }
        finally
        {
            t_sending = false;
        }
    }

    private async Task SendAsync(JsonRpc rpc, LogMessageParams message)
    {
        try
        {
            await rpc.NotifyWithParameterObjectAsync(LspMethods.LogMessage, message).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ConnectionLostException or ObjectDisposedException or IOException or OperationCanceledException)
        {
            _enabled = false;
        }
    }

    /// <summary>
    /// A failure of the machine's files (a full disk, a folder the user may not write, a damaged
    /// file) is said in words: its stack trace says nothing the user can act on, and an editor shows
    /// a block of frames as the server crashing. Anything else is a bug and keeps its stack trace.
    /// </summary>
    public static string Describe(Exception exception) =>
        exception is IOException or UnauthorizedAccessException or InvalidDataException
            ? string.Join(" <- ", Chain(exception).Select(e => $"{e.GetType().Name}: {e.Message}"))
            : exception.ToString();

    private static IEnumerable<Exception> Chain(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            yield return e;
        }
    }

    private static int ToMessageType(LogLevel level) => level switch
    {
        >= LogLevel.Error => MessageType.Error,
        LogLevel.Warning => MessageType.Warning,
        LogLevel.Information => MessageType.Info,
        _ => MessageType.Log,
    };
}
