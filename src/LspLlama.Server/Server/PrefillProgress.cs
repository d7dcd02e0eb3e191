using System.Text.Json;
using LspLlama.Protocol;
using StreamJsonRpc;

namespace LspLlama.Server;

/// <summary>
/// Reports a long prefill as LSP work-done progress (<c>window/workDoneProgress/create</c>, then
/// <c>$/progress</c> begin, report, end), when the client supports it. Runs on the inference thread;
/// syncs shorter than <c>completion.progressMinTokens</c> go unreported.
/// </summary>
public sealed class PrefillProgress(JsonRpc rpc, ServerLifecycle lifecycle)
{
    private static readonly TimeSpan s_createTimeout = TimeSpan.FromSeconds(2);
    private int _next;

    public void Run(int tokens, Action<Action<int>> work)
    {
        string? token = Create();
        if (token is null)
        {
            work(_ => { });
            return;
        }

        Send(token, new { kind = "begin", title = "LspLlama", message = $"reading {tokens} tokens of context", percentage = 0, cancellable = false });
        try
        {
            work(percent => Send(token, new { kind = "report", percentage = Math.Clamp(percent, 0, 100) }));
        }
        finally
        {
            Send(token, new { kind = "end" });
        }
    }

    private string? Create()
    {
        if (lifecycle.IsShutDown || !SupportsProgress(lifecycle.Client.Capabilities))
        {
            return null;
        }

        string token = $"lspllama-prefill-{Interlocked.Increment(ref _next)}";
        try
        {
            // The token may be used only once the client accepted it.
            Task created = rpc.InvokeWithParameterObjectAsync(LspMethods.WorkDoneProgressCreate, new { token });
            return created.Wait(s_createTimeout) ? token : null;
        }
#pragma warning disable CA1031 // No progress is better than a failed prefill.
        catch (Exception)
#pragma warning restore CA1031
        {
            return null;
        }
    }

    private void Send(string token, object value) =>
        _ = rpc.NotifyWithParameterObjectAsync(LspMethods.Progress, new { token, value })
            .ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);

    private static bool SupportsProgress(ClientCapabilities client) =>
        client.Window is JsonElement { ValueKind: JsonValueKind.Object } window
        && window.TryGetProperty("workDoneProgress", out JsonElement value)
        && value.ValueKind == JsonValueKind.True;
}
