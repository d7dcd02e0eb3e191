using LspLlama.Core.Bench;

namespace LspLlama.Bench;

/// <summary>
/// One policy's side of a replay: the server's own path from editor events to a synced model
/// (document store → the serving object: context plan, cache, model session, generation). A fresh target, with a fresh model context, is
/// made for each policy, so no policy inherits another's memory.
/// </summary>
public interface IReplayTarget : IDisposable
{
    /// <summary>An open, change, close or focus event: update the documents and the cursor.</summary>
    void Apply(TraceEvent e);

    /// <summary>
    /// A completion request: plan the context at this position, sync the model to it and complete;
    /// null when the typed-ahead cache answered and no sync ran.
    /// </summary>
    SyncCost? Sync(TraceCompletion request, CancellationToken cancellation);

    /// <summary>An idle moment between requests: background work of at most this many decoded tokens; returns the tokens decoded.</summary>
    long Idle(int maxTokens, CancellationToken cancellation) => 0;

    /// <summary>The most checkpoint memory the target's session held at once; 0 where it has none.</summary>
    long PeakCheckpointBytes => 0;
}

/// <summary>Makes the target for one policy (by its name: none, end-only, interval, lspllama).</summary>
public interface IReplayTargetFactory
{
    /// <summary>The model the targets run on, for the report.</summary>
    BenchModelInfo Model { get; }

    /// <summary>Tokens of a text with the model's tokenizer (to size generated traces).</summary>
    int CountTokens(string text);

    /// <summary>A target with a fresh model context, for a trace with this position encoding.</summary>
    IReplayTarget Create(string policy, string positionEncoding);
}
