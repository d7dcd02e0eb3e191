using LspLlama.Core.Completion;
using LspLlama.Core.Context;
using LspLlama.Core.Session;

namespace LspLlama.Engine;

/// <summary>
/// How the engine's state leaves the inference thread: the server turns it into
/// <c>lspllama/status</c>, notifications, messages and progress; the benchmarks record it. Every
/// call comes from the inference thread and must return quickly.
/// </summary>
public interface IServingObserver
{
    /// <summary>
    /// The model's state changed (loading, ready, none, an error); <paramref name="message"/> says
    /// why or what; <paramref name="figures"/> are the served model's when it is ready.
    /// </summary>
    void StateChanged(ModelState state, string? message, ServingFigures? figures = null);

    /// <summary>Something the user must hear (a model or settings problem); also logged.</summary>
    void Problem(string message, bool isError);

    /// <summary>News the user should see once, not a problem (the model found by searching); also logged.</summary>
    void Notice(string message)
    {
    }

    /// <summary>After a sync, a completion or a plan change: the figures as they are now.</summary>
    void Served(ServingFigures figures);

    /// <summary>
    /// A sync of <paramref name="tokens"/> tokens is about to run: <paramref name="work"/> runs it and
    /// reports the percentage done through the action it gets (the server shows <c>$/progress</c>).
    /// </summary>
    void LongSync(int tokens, Action<Action<int>> work);
}

public enum ModelState
{
    NoModel,
    Loading,
    Ready,
    Error,
}

/// <summary>What one serving object reports: the model, what its memory holds, what the last sync and answer cost.</summary>
/// <param name="LastSync">The last sync (a stepped one summed into one), or null when none ran since the load.</param>
/// <param name="LastAnswer">The last completion answered by the model or the cache, or null.</param>
/// <param name="LastPlan">The segments and hints of the last sequence synced to, or null.</param>
/// <param name="Lag">How far the memory lags behind the documents (bounded syncs); null where not tracked.</param>
public sealed record ServingFigures(
    string ModelPath,
    string Architecture,
    MemoryKind MemoryKind,
    string Policy,
    int HeldTokens,
    int ContextSize,
    int CheckpointCount,
    long CheckpointBytes,
    SyncFigures? LastSync,
    CompletionAnswer? LastAnswer,
    int Syncs,
    int Completions,
    PlannedLayout? LastPlan,
    long PeakCheckpointBytes = 0,
    int SpilledCount = 0,
    long SpilledBytes = 0,
    ContextLag? Lag = null);

/// <summary>Where the segments and the cursor of a planned sequence lie.</summary>
public sealed record PlannedLayout(IReadOnlyList<PlannedSegment> Segments, SyncHints Hints);
