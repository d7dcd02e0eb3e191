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
            string text = exception is null ? $"{category}: {message}" : $"{category}: {message}\n{exception}";
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

    private static int ToMessageType(LogLevel level) => level switch
    {
        >= LogLevel.Error => MessageType.Error,
        LogLevel.Warning => MessageType.Warning,
        LogLevel.Information => MessageType.Info,
        _ => MessageType.Log,
    };
}
