namespace LspLlama.Core.Bench;

/// <summary>The model a bench ran on.</summary>
/// <param name="Generated">True when the bench built a tiny random-weight model itself.</param>
/// <param name="GeneratedPerSync">Tokens decoded after each sync as the server's completion would
/// (not counted as decoded prompt tokens): the next sync must roll them back first.</param>
/// <param name="Layout">How the context plan laid out the active document, in words.</param>
/// <param name="Like">The real model whose preset the model is (<c>--model-like</c>), or null.</param>
/// <param name="FileBytes">The model file's size.</param>
/// <param name="CheckpointBudgetBytes">The checkpoints' memory budget (<c>checkpoints.maxMemoryMiB</c>).</param>
/// <param name="DiskTierBytes">The disk tier's size, 0 when off (ours only).</param>
public sealed record BenchModelInfo(
    string Path,
    string Architecture,
    string MemoryKind,
    int ContextSize,
    int BatchSize,
    int UbatchSize,
    bool Generated,
    int GeneratedPerSync = 0,
    string Layout = "",
    string? Like = null,
    long FileBytes = 0,
    long CheckpointBudgetBytes = 0,
    long DiskTierBytes = 0);

/// <summary>The trace a bench replayed.</summary>
public sealed record BenchTraceInfo(
    TraceSource Source,
    string Workspace,
    int? Seed,
    int Events,
    int Syncs,
    int Files,
    int MaxContextTokens,
    TraceMix Mix,
    double? RecencyDecay = null)
{
    public static BenchTraceInfo Of(EditTrace trace, int maxContextTokens) => new(
        trace.Header.Source,
        trace.Header.Workspace,
        trace.Header.Generator?.Seed,
        trace.Events.Count,
        trace.CompletionCount,
        trace.Events.OfType<TraceOpen>().Select(o => o.Uri).Distinct(StringComparer.Ordinal).Count(),
        maxContextTokens,
        TraceMix.Of(trace),
        trace.Header.Generator?.RecencyDecay);
}

/// <summary>Everything a bench run reports: printed as a table, written as JSON with `--json`.</summary>
/// <summary>How a bounded replay ran: the server's <c>completion.maxSyncTokens</c>, and what each idle moment between requests may decode.</summary>
public sealed record BoundedReplay(int MaxSyncTokens, int IdleTokens);

public sealed record BenchReport(BenchModelInfo Model, BenchTraceInfo Trace, IReadOnlyList<PolicyResult> Policies)
{
    /// <summary>This machine's plain memory-copy bandwidth, measured in the same run (bytes per second); null when not measured.</summary>
    public double? CopyBytesPerSecond { get; init; }

    /// <summary>The same copy into new memory, its pages faulted in by the copy (bytes per second); null when not measured.</summary>
    public double? FirstTouchBytesPerSecond { get; init; }

    /// <summary>The bound and idle work of the bounded replays; null when none ran.</summary>
    public BoundedReplay? Bounded { get; init; }

    public BenchAcceptance Acceptance => BenchAcceptance.Of(Policies);
}
