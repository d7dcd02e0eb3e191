using LspLlama.Traces;
using LspLlama.Core.Documents;
using LspLlama.Logging;
using LspLlama.Protocol;
using LspLlama.Server.Settings;
using Microsoft.Extensions.Logging;
using StreamJsonRpc;

namespace LspLlama.Server;

/// <summary>
/// What handlers share: the documents, settings, lifecycle, what the client said in
/// <c>initialize</c>, and the connection for messages to the client.
/// </summary>
public sealed class ServerServices(
    JsonRpc rpc,
    ServerLifecycle lifecycle,
    DocumentStore documents,
    SettingsStore settings,
    ServerLoggerFactory loggers,
    ClientLogSink clientLog)
{
    public JsonRpc Rpc => rpc;

    public ServerLifecycle Lifecycle => lifecycle;

    public DocumentStore Documents => documents;

    public SettingsStore Settings => settings;

    public ILoggerFactory Loggers => loggers;

    public ClientLogSink ClientLog => clientLog;

    /// <summary>Set by <c>initialize</c>; UTF-16 until then.</summary>
    public PositionEncoding PositionEncoding { get; set; } = PositionEncoding.Utf16;

    /// <summary>Set by <c>initialize</c>.</summary>
    public ClientCapabilities ClientCapabilities { get; set; } = new();

    /// <summary><c>clientInfo.name</c> from <c>initialize</c> (messages name the editor's own option); null when it sent none.</summary>
    public string? ClientName { get; set; }

    /// <summary>The workspace folder as a local path, set by <c>initialize</c>; null when the client named none.</summary>
    public string? WorkspaceRoot { get; set; }

    /// <summary>The model side: completions, prefill, status. Set once by the server.</summary>
    public Engine.CompletionEngine Engine { get; set; } = null!;

    /// <summary>Records the session's editor traffic for `lspllama bench --trace` (<c>serve --record-trace</c>); null when off.</summary>
    public Traces.TraceRecorder? Recorder { get; init; }

    /// <summary>Every registered handler (initialize asks them which capabilities to advertise).</summary>
    public IReadOnlyList<Handlers.ILspHandler> Handlers { get; set; } = [];
}
