namespace LspLlama.Protocol;

/// <summary>
/// <c>lspllama/status</c> and the <c>lspllama/statusChanged</c> notification: what the model holds
/// and what the last sync and generation cost, for status bars and tests.
/// </summary>
/// <param name="State">noModel, loading, ready or error.</param>
internal sealed record StatusReport(
    string State,
    ModelStatus? Model,
    string? MemoryKind,
    string? Policy,
    int ContextTokens,
    int ContextSize,
    CheckpointStatus Checkpoints,
    SyncStatus? LastSync,
    GenerationStatus? LastGeneration,
    string? Message);

internal sealed record ModelStatus(string Path, string Architecture);

internal sealed record CheckpointStatus(int Count, long Bytes);

internal sealed record SyncStatus(
    int KeptTokens,
    int RestoredFrom,
    int DecodedTokens,
    int IdealTokens,
    double Ms,
    double DecodeMs,
    double SaveMs,
    double RestoreMs,
    bool FullReprocess,
    bool Cancelled);

/// <param name="FromCache">How the typed-ahead cache answered, or null when the model did.</param>
internal sealed record GenerationStatus(int Tokens, double Ms, string? StopReason, string? FromCache);

/// <summary>LSP <c>window/showMessage</c>.</summary>
internal sealed record ShowMessageParams(int Type, string Message);
