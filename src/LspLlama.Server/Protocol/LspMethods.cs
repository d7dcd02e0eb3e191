namespace LspLlama.Protocol;

/// <summary>Every JSON-RPC method name the server serves or sends, in one place.</summary>
public static class LspMethods
{
    public const string Initialize = "initialize";
    public const string Initialized = "initialized";
    public const string Shutdown = "shutdown";
    public const string Exit = "exit";

    public const string DidOpen = "textDocument/didOpen";
    public const string DidChange = "textDocument/didChange";
    public const string DidClose = "textDocument/didClose";
    public const string DidSave = "textDocument/didSave";

    public const string Completion = "textDocument/completion";
    public const string InlineCompletion = "textDocument/inlineCompletion";

    public const string DidChangeConfiguration = "workspace/didChangeConfiguration";
    public const string Configuration = "workspace/configuration";

    public const string LogMessage = "window/logMessage";
    public const string ShowMessage = "window/showMessage";
    public const string WorkDoneProgressCreate = "window/workDoneProgress/create";
    public const string Progress = "$/progress";

    /// <summary>What the model holds and what the last sync and generation cost.</summary>
    public const string Status = "lspllama/status";

    /// <summary>Sent by the server whenever the status changes.</summary>
    public const string StatusChanged = "lspllama/statusChanged";

    /// <summary>The server's copy of a document: lets tests prove it equals the editor's.</summary>
    public const string DocumentText = "lspllama/documentText";
}

/// <summary>JSON-RPC and LSP error codes the server answers with.</summary>
public static class LspErrorCodes
{
    public const int ParseError = -32700;
    public const int InvalidRequest = -32600;
    public const int MethodNotFound = -32601;
    public const int InvalidParams = -32602;
    public const int ServerNotInitialized = -32002;
    public const int RequestCancelled = -32800;
}
