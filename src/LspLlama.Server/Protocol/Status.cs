namespace LspLlama.Protocol;

/// <summary>
/// <c>lspllama/status</c> and the <c>lspllama/statusChanged</c> notification: what the model holds
/// and what the last sync and generation cost, for status bars and tests.
/// </summary>
/// <param name="State">noModel, loading, ready or error.</param>
/// <param name="Policy">The checkpoint policy in use (none for attention-only models, which cut anywhere).</param>
/// <param name="ContextTokens">Tokens the model's memory holds now (prompt and generated).</param>
/// <param name="ContextSize">The context size (n_ctx).</param>
/// <param name="Syncs">Syncs run since the model was loaded (a request answered from the cache runs none).</param>
/// <param name="Completions">Completion requests answered since the model was loaded (also from the cache).</param>
/// <param name="Plan">Where the segments of the last planned sequence lie.</param>
/// <param name="Message">Why there is no model, or what is being loaded.</param>
/// <param name="Lag">How far the context lags behind the editor; none lag when every sync is exact.</param>
public sealed record StatusReport(
    string State,
    ModelStatus? Model,
    string? MemoryKind,
    string? Policy,
    int ContextTokens,
    int ContextSize,
    CheckpointStatus Checkpoints,
    SyncStatus LastSync,
    GenerationStatus LastGeneration,
    int Syncs,
    int Completions,
    PlanStatus? Plan,
    string? Message,
    LagStatus? Lag = null);

/// <summary>How far the model's context lags behind the editor (<c>completion.maxSyncTokens</c>): what a background refresh will bring up to date.</summary>
/// <param name="Documents">Documents the memory holds only as the model last decoded them, or not at all.</param>
/// <param name="Tokens">Their tokens in the exact plan.</param>
/// <param name="OldestChangeMs">Age of the oldest change the memory does not hold yet (0: none).</param>
/// <param name="BoundedRequests">Completions answered within the bound from a lagging context since the model loaded.</param>
public sealed record LagStatus(int Documents, int Tokens, double OldestChangeMs, int BoundedRequests)
{
    public static LagStatus None { get; } = new(0, 0, 0, 0);
}

public sealed record ModelStatus(string Path, string Architecture);

/// <param name="PeakBytes">The most checkpoint memory held at once since the model loaded.</param>
/// <param name="OnDisk">Checkpoints the budget evicted that the disk tier keeps (<c>checkpoints.maxDiskMiB</c>).</param>
/// <param name="DiskBytes">What they take on disk.</param>
public sealed record CheckpointStatus(int Count, long Bytes, long PeakBytes = 0, int OnDisk = 0, long DiskBytes = 0);

/// <param name="KeptTokens">Tokens kept after the rollback: decoding started there.</param>
/// <param name="RestoredFrom">The checkpoint restored, -1 when none was (a direct cut or nothing to do).</param>
/// <param name="CommonTokens">The common prefix of what the memory held and the new sequence.</param>
/// <param name="IdealTokens">Tokens after the first changed one: the least any rollback could decode.</param>
/// <param name="DesiredTokens">Length of the sequence synced to.</param>
/// <param name="Cancelled">The sync stopped between two batches because the request was cancelled.</param>
/// <param name="BytesCopied">Checkpoint bytes the sync copied (saves and its restore): at a real model's size, 50–230 MiB each.</param>
/// <param name="Evictions">Checkpoints the memory budget evicted during the sync.</param>
/// <param name="FromDisk">The restored checkpoint came from the disk tier.</param>
public sealed record SyncStatus(
    int KeptTokens,
    int RestoredFrom,
    int CommonTokens,
    int DecodedTokens,
    int IdealTokens,
    int DesiredTokens,
    double Ms,
    double DecodeMs,
    double SaveMs,
    double RestoreMs,
    bool FullReprocess,
    bool Cancelled,
    long BytesCopied = 0,
    int Evictions = 0,
    bool FromDisk = false)
{
    public static SyncStatus None { get; } = new(0, -1, 0, 0, 0, 0, 0, 0, 0, 0, false, false);
}

/// <param name="FromCache">How the typed-ahead cache answered (typedAhead, recent), or null when the model did.</param>
public sealed record GenerationStatus(int Tokens, double Ms, string? StopReason, string? FromCache)
{
    public static GenerationStatus None { get; } = new(0, 0, null, null);
}

/// <summary>The last planned sequence: one entry per segment, and where the cursor's line starts.</summary>
/// <param name="CursorLineToken">Index of the first token of the cursor's line, -1 without an active document.</param>
/// <param name="PrefixEndToken">Where the cursor is: just after the FIM prefix, or the end when the cursor's line follows the middle marker; -1 without an active document.</param>
/// <param name="SuffixStartToken">The suffix marker when the cursor's line follows the middle marker, else -1.</param>
public sealed record PlanStatus(IReadOnlyList<SegmentStatus> Segments, int CursorLineToken, int PrefixEndToken, int SuffixStartToken);

/// <param name="Closed">A closed file kept as context (setting <c>context.keepClosedFiles</c>).</param>
public sealed record SegmentStatus(string Uri, int Start, int Tokens, bool Active, bool Closed);

/// <summary>LSP <c>window/showMessage</c>.</summary>
public sealed record ShowMessageParams(int Type, string Message);
