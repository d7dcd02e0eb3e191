using LspLlama.Core.Bench;
using LspLlama.Core.Completion;
using LspLlama.Core.Context;
using LspLlama.Core.Documents;
using LspLlama.Core.Session;
using LspLlama.Engine;
using Microsoft.Extensions.Logging.Abstractions;

namespace LspLlama.Bench;

/// <summary>
/// Replays editor events through the server's own serving object: the document store applies each
/// change as it would for a didChange, and each completion request goes to
/// <see cref="ModelServing.Complete"/> with what the request saw, as the server's handler sends it:
/// the cache answers typed-ahead requests, the others sync the model at the cursor and generate.
/// What the replay cannot have: the disk (a trace carries every text it needs, so closed files do
/// not follow the disk) and the server's timer (no background prefill between events: each request
/// pays for everything since the one before, except in a bounded replay, whose refresh the runner
/// runs in the pauses between the user's actions).
/// </summary>
public sealed class ReplayServing : IReplayTarget, IServingObserver
{
    private readonly DocumentStore _store = new();
    private readonly ModelServing _serving;
    private readonly IServedModel _model;
    private readonly PositionEncoding _encoding;
    private readonly IDisposable? _owned;
    private ServingFigures? _figures;

    /// <param name="generation">What each completion may generate (the bench's <c>--generate</c> tokens at most).</param>
    /// <param name="owned">Disposed with the target (the model context behind <paramref name="model"/>).</param>
    /// <param name="maxSyncTokens">The server's <c>completion.maxSyncTokens</c> (0: exact); the caller caps the plan's active part with it too.</param>
    public ReplayServing(
        IServedModel model, ContextSettings context, GenerationOptions generation, string positionEncoding, IDisposable? owned = null, int maxSyncTokens = 0)
    {
        _model = model;
        _encoding = TraceDocuments.EncodingOf(positionEncoding);
        _owned = owned;
        var options = new ServingOptions(generation, int.MaxValue, maxSyncTokens);
        _serving = new ModelServing(model, new ContextPlan(model.Tokenizer, context), _store, () => options, this, hooks: null, NullLogger.Instance, followDisk: false);
    }

    public ModelSession Session => _model.Session;

    public long PeakCheckpointBytes => _model.Session.PeakCheckpointBytes;

    /// <summary>The serving object's last figures (tests compare them with the server's).</summary>
    public ServingFigures? Figures => _figures;

    public void Apply(TraceEvent e)
    {
        switch (e)
        {
            case TraceOpen open:
                _store.Open(open.Uri, open.LanguageId, open.Version, open.Text);
                break;
            case TraceEdit edit:
                _store.Change(edit.Uri, edit.Version, [.. edit.Changes.Select(TraceDocuments.ToDocumentChange)], _encoding);
                break;
            case TraceClose close:
                _store.Close(close.Uri);
                break;
            case TraceFocus focus:
                // The server learns the active document and its cursor from completion requests
                // only (LSP has no focus notification), so a focus event changes nothing it sees.
                _ = _store.Find(focus.Uri) ?? throw new InvalidDataException($"{focus.Uri} is not open");
                break;
            default:
                throw new ArgumentException($"{e.GetType().Name} is not applied, it is synced", nameof(e));
        }
    }

    public SyncCost? Sync(TraceCompletion request, CancellationToken cancellation)
    {
        (string text, int offset) = TraceDocuments.At(_store, request, _encoding);
        int syncsBefore = _figures?.Syncs ?? 0;
        FeedMark mark = _serving.Mark();
        _ = _serving.Complete(new CompletionRequest(request.Uri, text[..offset], text[offset..]), offset, mark, cancellation);
        if (_figures is not { LastSync: { } f } figures || figures.Syncs == syncsBefore)
        {
            return null; // Answered from the cache: no sync ran.
        }

        ContextLag? lag = figures.Lag;
        return new SyncCost(
            f.Decoded,
            f.Ideal,
            (f.Decoding + f.Saving + f.Restoring + f.Traffic.DiskReading).TotalMilliseconds,
            f.CheckpointBytes,
            f.Desired,
            f.FullReprocess,
            f.Decoding.TotalMilliseconds,
            f.Saving.TotalMilliseconds,
            f.Restoring.TotalMilliseconds,
            f.CheckpointsSaved,
            f.Traffic)
        {
            StaleDocuments = lag?.Documents ?? 0,
            StaleAgeMs = lag?.OldestChange.TotalMilliseconds ?? 0,
        };
    }

    /// <summary>
    /// An idle moment between requests: a lagging context is refreshed towards the documents, as the
    /// server's background work does, by at most <paramref name="maxTokens"/> decoded tokens (the
    /// rest waits for the next moment). Returns the tokens decoded.
    /// </summary>
    public long Idle(int maxTokens, CancellationToken cancellation)
    {
        if (maxTokens <= 0 || !_serving.Lagging)
        {
            return 0;
        }

        int syncsBefore = _figures?.Syncs ?? 0;
        _ = _serving.Prefill(cancellation, maxTokens);
        return _figures is { LastSync: { } f } figures && figures.Syncs != syncsBefore ? f.Decoded : 0;
    }

    public void Dispose()
    {
        _serving.Dispose();
        _model.Session.Reset();
        _owned?.Dispose();
    }

    void IServingObserver.StateChanged(ModelState state, string? message, ServingFigures? figures)
    {
    }

    void IServingObserver.Problem(string message, bool isError) => throw new InvalidOperationException(message);

    void IServingObserver.Served(ServingFigures figures) => _figures = figures;

    void IServingObserver.LongSync(int tokens, Action<Action<int>> work) => work(_ => { });
}
