using System.Text.Json;

namespace LspLlama.Protocol;

public sealed record InitializeParams(
    int? ProcessId = null,
    ClientInfo? ClientInfo = null,
    string? RootUri = null,
    ClientCapabilities? Capabilities = null,
    JsonElement? InitializationOptions = null,
    string? Trace = null,
    IReadOnlyList<WorkspaceFolder>? WorkspaceFolders = null,
    string? RootPath = null);

public sealed record WorkspaceFolder(string Uri, string? Name = null);

public sealed record ClientInfo(string Name, string? Version = null);

/// <summary>The client capabilities the server reads; everything else is ignored.</summary>
public sealed record ClientCapabilities(
    GeneralClientCapabilities? General = null,
    WorkspaceClientCapabilities? Workspace = null,
    TextDocumentClientCapabilities? TextDocument = null,
    JsonElement? Window = null);

public sealed record GeneralClientCapabilities(IReadOnlyList<string>? PositionEncodings = null);

public sealed record WorkspaceClientCapabilities(bool? Configuration = null);

/// <summary>Kept raw: the completion handlers read what they need from these.</summary>
public sealed record TextDocumentClientCapabilities(
    JsonElement? Completion = null,
    JsonElement? InlineCompletion = null,
    JsonElement? Synchronization = null);

public sealed record InitializeResult(ServerCapabilities Capabilities, ServerInfo ServerInfo);

public sealed record ServerInfo(string Name, string? Version);

/// <summary>
/// What the server advertises. A capability left null is not advertised, so a handler that is not
/// registered never shows up here.
/// </summary>
public sealed record ServerCapabilities(
    string PositionEncoding,
    TextDocumentSyncOptions TextDocumentSync,
    CompletionOptions? CompletionProvider = null,
    object? InlineCompletionProvider = null);

public sealed record TextDocumentSyncOptions(bool OpenClose, int Change, SaveOptions? Save);

public sealed record SaveOptions(bool IncludeText);

public sealed record CompletionOptions(IReadOnlyList<string>? TriggerCharacters = null, bool? ResolveProvider = null);

/// <summary>LSP <c>TextDocumentSyncKind</c>.</summary>
public static class TextDocumentSyncKind
{
    public const int None = 0;
    public const int Full = 1;
    public const int Incremental = 2;
}
