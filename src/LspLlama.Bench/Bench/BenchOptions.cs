using LspLlama.Core.Bench;
using LspLlama.Core.Session;

namespace LspLlama.Bench;

/// <summary>The bench's command line, read and checked.</summary>
public sealed record BenchOptions(
    string Workspace,
    TraceGeneratorOptions Generator,
    bool Quick,
    string? TracePath,
    string? SaveTrace,
    bool TraceOnly,
    IReadOnlyList<string> Policies,
    string? ModelPath,
    string? Json,
    int? ContextSize,
    int? Threads,
    int Generate,
    int? SuffixLines = null,
    bool CursorLineInMiddle = true,
    string? PerSync = null,
    bool KeepClosedFiles = true,
    string? ModelLike = null,
    Uri? Engine = null)
{
    /// <summary>The checkpoint settings (<c>--max-memory-mib</c>, <c>--max-disk-mib</c>): the server's defaults unless given.</summary>
    public CheckpointSettings Checkpoints { get; init; } = new();

    /// <summary>
    /// <c>--max-sync-tokens</c>: when positive, ours is also replayed bounded
    /// (<see cref="ReplayRunner.Bounded"/>) beside its exact replay; 0: exact only.
    /// </summary>
    public int MaxSyncTokens { get; init; }

    /// <summary><c>--idle-tokens</c>: what a bounded replay may decode in the background between two requests.</summary>
    public int IdleTokens { get; init; }

    /// <summary>A one-line completion's worth: what the server decodes after a sync, and the next sync rolls back.</summary>
    public const int DefaultGenerate = 16;

    /// <summary>The acceptance target for "times fewer tokens than none and end-only".</summary>
    public double MinTimesFewer => Quick ? 3 : 5;
}
