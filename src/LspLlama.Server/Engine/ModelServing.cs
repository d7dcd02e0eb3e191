using System.Diagnostics;
using LspLlama.Core.Completion;
using LspLlama.Core.Context;
using LspLlama.Core.Documents;
using LspLlama.Core.Session;
using LspLlama.Store;
using Microsoft.Extensions.Logging;

namespace LspLlama.Engine;

/// <summary>What a request saw of the document mutations when it arrived.</summary>
public readonly record struct FeedMark(PlanFeed? Feed, long Sequence);

/// <summary>Settings the serving object reads at the moment it needs them (they may change between requests).</summary>
/// <param name="ProgressMinTokens">A sync this long is run in steps and reported as progress.</param>
/// <param name="MaxSyncTokens">The most tokens a completion decodes before answering (0: exact, whatever it costs).</param>
public sealed record ServingOptions(GenerationOptions Generation, int ProgressMinTokens, int MaxSyncTokens = 0);

/// <summary>
/// Serves completions for one loaded model over the editor's documents: it owns the context plan
/// and its feed, the suggestion cache, the closed files followed on disk and the model session's
/// syncs. Documents go in through the <see cref="DocumentStore"/> it observes; completions, prefills
/// and figures come out. No protocol types and no RPC: the server and the benchmarks drive the
/// same object. Everything but <see cref="Mark"/> runs on the inference thread.
/// </summary>
public sealed class ModelServing : IDisposable
{
    private readonly IServedModel _model;
    private readonly DocumentStore _documents;
    private readonly Func<ServingOptions> _options;
    private readonly IServingObserver _observer;
    private readonly BoundSessionHooks? _hooks;
    private readonly ILogger _logger;
    private readonly Action? _onMutated;
    private readonly bool _followDisk;
    private readonly ContextLagTracker _lag = new();
    private volatile PlanFeed _feed;
    private ContextPlan _plan;
    private SuggestionCache _cache = new();
    private CompletionPipeline _pipeline;
    private ClosedFilesOnDisk? _disk;
    private LogitSampler? _sampler;
    private SamplingOptions? _samplerOptions;
    private (string Uri, int Offset)? _lastCompletion;
    private long _editsAtLastCompletion = -1;
    private SyncFigures? _lastSync;
    private CompletionAnswer? _lastAnswer;
    private PlannedLayout? _lastPlan;
    private int _syncs;
    private int _completions;
    private int _preemptedRefreshes;

    /// <param name="plan">The plan to serve (fresh, or carried over from the previous settings); documents it holds that are no longer open are closed.</param>
    /// <param name="followDisk">Kept closed files follow the disk (the server); a replayed trace has no disk to follow.</param>
    /// <param name="onMutated">Raised on the protocol thread after each document mutation (the idle prefill timer).</param>
    public ModelServing(
        IServedModel model,
        ContextPlan plan,
        DocumentStore documents,
        Func<ServingOptions> options,
        IServingObserver observer,
        BoundSessionHooks? hooks,
        ILogger logger,
        bool followDisk = true,
        Action? onMutated = null)
    {
        _model = model;
        _documents = documents;
        _options = options;
        _observer = observer;
        _hooks = hooks;
        _logger = logger;
        _followDisk = followDisk;
        _onMutated = onMutated;
        (_plan, _feed, _pipeline) = Start(plan);
    }

    public IServedModel Model => _model;

    public ContextPlan Plan => _plan;

    /// <summary>
    /// The memory lacks part of the exact context (a bounded completion left it behind, or a refresh
    /// was preempted): a refresh is due. Safe from any thread.
    /// </summary>
    public bool Lagging => _lag.Lagging;

    /// <summary>
    /// Refreshes of a lagging context preempted by a request since the last one that finished: each
    /// costs the next request a re-decode of the active part, so the engine waits for a longer pause
    /// before the next try. Safe from any thread.
    /// </summary>
    public int PreemptedRefreshes => Volatile.Read(ref _preemptedRefreshes);

    /// <summary>Protocol thread: the mutation number a request arriving now must see.</summary>
    public FeedMark Mark()
    {
        PlanFeed feed = _feed;
        return new FeedMark(feed, feed.Sequence);
    }

    /// <summary>
    /// Answers a completion at <paramref name="offset"/> as the request saw the documents: from the
    /// cache, or by syncing the model to the plan at the cursor and generating. Null when the
    /// document is no longer open or changed under a plan rebuilt since.
    /// </summary>
    public CompletionAnswer? Complete(CompletionRequest request, int offset, FeedMark mark, CancellationToken cancellation)
    {
        _completions++;
        try
        {
            if (!CatchUp(request, mark))
            {
                return null;
            }

            GenerationOptions options = _options().Generation;

            // The plan leaves the generation reserve free; generation must fit in it.
            options = options with { MaxTokens = Math.Min(options.MaxTokens, Math.Max(1, _model.ContextSize - _plan.Budget)) };
            _lastCompletion = (request.DocumentId, offset);
            _editsAtLastCompletion = _feed.EditsApplied;
            CompletionAnswer answer = _pipeline.TryCached(request) ?? Generate(request, offset, options, cancellation);
            _lastAnswer = answer;
            return answer;
        }
        finally
        {
            Report();
        }
    }

    /// <summary>
    /// Idle: brings the model to the documents as they are now, for the latest cursor (the last
    /// edit, else the last completion), so the next request finds it ready. True when it synced.
    /// </summary>
    /// <param name="maxTokens">Decode at most this many tokens towards it (a replay's idle moment); the refresh goes on next time.</param>
    public bool Prefill(CancellationToken cancellation, int maxTokens = int.MaxValue)
    {
        if (!ApplyFeed(long.MaxValue))
        {
            return false;
        }

        FollowDisk(RefreshClosed);
        // The cursor is where the latest of the two happened: an edit since the last completion, else that completion.
        (string Uri, int Offset)? target = _feed.LastEdit is { } edit && (_lastCompletion is null || _feed.EditsApplied != _editsAtLastCompletion)
            ? (edit.Uri, edit.Cursor)
            : _lastCompletion;
        if (target is not { } t || !_plan.IsOpen(t.Uri))
        {
            return false;
        }

        try
        {
            _plan.SetActive(t.Uri, t.Offset);
        }
        catch (ArgumentOutOfRangeException)
        {
            return false; // The edit that set this cursor was undone by a later one.
        }

        try
        {
            PlanBuild build = _plan.Build();
            _hooks?.BeforeSync(build.Tokens);
            bool wasLagging = _lag.Lagging;
            try
            {
                if (SyncTracked(build, build, cancellation, maxTokens))
                {
                    _model.Prefilled(build.Hints, cancellation);
                }
            }
            catch (OperationCanceledException) when (wasLagging)
            {
                Interlocked.Increment(ref _preemptedRefreshes);
                throw;
            }

            if (!_lag.Lagging)
            {
                Volatile.Write(ref _preemptedRefreshes, 0);
            }
        }
        finally
        {
            Report();
        }

        _hooks?.Idle(PlannedDocuments, cancellation);
        return true;
    }

    /// <summary>
    /// Idle, with no edits to prefill for: takes in closed files that changed on disk and, when
    /// any did, prefills the context for the latest cursor. True when it synced.
    /// </summary>
    public bool LookAtDisk(CancellationToken cancellation)
    {
        if (_plan.KeptClosedCount == 0)
        {
            return false;
        }

        int changed = 0;
        FollowDisk(disk => changed = RefreshClosed(disk));
        return changed > 0 && Prefill(cancellation);
    }

    /// <summary>After a load: lays out the files a restored session was planned from (see <see cref="ClosedFilesOnDisk.LayOut"/>).</summary>
    public void LayOut(IReadOnlyList<StoredDocument> remembered) => FollowDisk(disk => disk.LayOut(_plan, remembered));

    /// <summary>
    /// The documents of the plan the session last synced to, in plan order: what a saved session
    /// records. Asked for only when a save starts, since it reads every document's text.
    /// </summary>
    public StoredDocument[] PlannedDocuments() =>
        _lastPlan is { } synced
            ? [.. synced.Segments.DistinctBy(s => s.Uri, StringComparer.Ordinal).Select(s => new StoredDocument(s.Uri, HeldText(s.Uri) is { } text && !text.Contains('\r', StringComparison.Ordinal)))]
            : [];

    /// <summary>
    /// Serves <paramref name="plan"/> from now on (new plan settings, carried over or fresh), with
    /// a new feed and cache from the documents as they are now. The model memory stays: the next
    /// sync keeps the common prefix, so a plan that took over the old one's documents
    /// (<see cref="ContextPlan.WithSettings"/>) keeps it up to the first token the settings change.
    /// </summary>
    public void UsePlan(ContextPlan plan)
    {
        PlanFeed old = _feed;
        (_plan, _feed, _pipeline) = Start(plan);
        _editsAtLastCompletion = -1;
        StopFeed(old);
    }

    /// <summary>Publishes the figures as they are now.</summary>
    public void Report() => _observer.Served(Figures());

    /// <summary>The figures as they are now.</summary>
    public ServingFigures Figures()
    {
        ModelSession session = _model.Session;
        return new ServingFigures(
            _model.Path,
            _model.Architecture,
            session.MemoryKind,
            session.PolicyName,
            session.Held.Length,
            _model.ContextSize,
            session.Checkpoints.Count,
            session.CheckpointBytes,
            _model.Reported(_lastSync),
            _lastAnswer,
            _syncs,
            _completions,
            _lastPlan,
            session.PeakCheckpointBytes,
            session.SpilledCheckpoints.Count,
            session.SpilledBytes,
            _lag.Figures());
    }

    public void Dispose() => StopFeed(_feed);

    /// <summary>
    /// Serves <paramref name="plan"/> from now on, with a new feed from the documents as they are
    /// now. The model memory stays: the next sync keeps the common prefix.
    /// </summary>
    private (ContextPlan Plan, PlanFeed Feed, CompletionPipeline Pipeline) Start(ContextPlan plan)
    {
        _cache = new SuggestionCache();
        var pipeline = new CompletionPipeline(_model.Tokenizer, TimeProvider.System, _cache, plan.Format.StopTokens);
        var feed = new PlanFeed(_documents);
        if (_onMutated is { } mutated)
        {
            feed.Mutated += mutated;
        }

        ClosedFilesOnDisk? disk = _followDisk ? new ClosedFilesOnDisk(_logger, ClosedFilesOnDisk.DefaultInterval) : null;
        _disk = disk;
        feed.Closed += uri =>
        {
            _cache.Forget(uri);
            disk?.Forget(uri);
        };
        feed.Changed += (uri, stamp) =>
        {
            _cache.ForgetOthers(uri);
            _lag.Changed(uri, stamp);
        };

        // Carried over, the plan may still hold documents closed since its last mutation.
        foreach (string uri in plan.OpenUris.Where(u => !feed.OpenAtStart.Contains(u)).ToArray())
        {
            plan.Close(uri);
        }

        return (plan, feed, pipeline);
    }

    private void StopFeed(PlanFeed feed)
    {
        if (_onMutated is { } mutated)
        {
            feed.Mutated -= mutated;
        }

        feed.Dispose();
    }

    /// <summary>
    /// Applies the queued mutations up to <paramref name="upTo"/>. A change the plan rejects means
    /// the plan no longer mirrors the documents: it starts again from them (the memory stays).
    /// </summary>
    private bool ApplyFeed(long upTo)
    {
        try
        {
            _feed.ApplyTo(_plan, upTo);
            return true;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            _logger.LogError(e, "The context plan rejected a document change; rebuilding it from the documents");
            UsePlan(new ContextPlan(_model.Tokenizer, _plan.Settings));
            return false;
        }
    }

    /// <summary>
    /// Applies the mutations the request saw. A feed replaced by a rebuild started from a newer
    /// snapshot: then all of it is applied, and the request goes unanswered unless the document
    /// still reads as it did.
    /// </summary>
    private bool CatchUp(CompletionRequest request, FeedMark mark)
    {
        bool sameFeed = mark.Feed == _feed;
        if (!ApplyFeed(sameFeed ? mark.Sequence : long.MaxValue))
        {
            return false;
        }

        FollowDisk(RefreshClosed);
        if (!_plan.IsOpen(request.DocumentId))
        {
            return false;
        }

        return sameFeed || SameText(_plan.Text(request.DocumentId), request.Text);
    }

    private static bool SameText(ReadOnlySpan<char> text, TextAroundCursor request) =>
        text.Length == request.PrefixLength + request.SuffixLength
        && TextAroundCursor.Of(text[..request.PrefixLength], text[request.PrefixLength..]).SameAs(request);

    /// <summary>Syncs the model at the cursor and generates; a generator that holds a request (remote) is closed after.</summary>
    private CompletionAnswer Generate(CompletionRequest request, int offset, GenerationOptions options, CancellationToken cancellation)
    {
        ITokenGenerator model = SyncedModel(request.DocumentId, offset, options, cancellation);
        try
        {
            return _pipeline.Generate(request, options, model, cancellation);
        }
        finally
        {
            (model as IDisposable)?.Dispose();
        }
    }

    /// <summary>The model synced to the plan at the cursor, ready to sample from.</summary>
    private ITokenGenerator SyncedModel(string uri, int offset, GenerationOptions options, CancellationToken cancellation)
    {
        _plan.SetActive(uri, offset);
        PlanBuild exact = _plan.Build();
        _hooks?.BeforeSync(exact.Tokens);
        PlanBuild build = SyncWithinBound(exact, cancellation);
        if (_sampler is null || _samplerOptions != options.Sampling)
        {
            _sampler = new LogitSampler(options.Sampling);
            _samplerOptions = options.Sampling;
        }

        return _model.Generator(_sampler, options, build.Hints, cancellation);
    }

    /// <summary>
    /// The exact plan when the model gets there within <see cref="ServingOptions.MaxSyncTokens"/>;
    /// else a bounded prompt: the context the memory holds, then the exact plan's end (at least the
    /// active document's part, which the plan keeps within the bound), and the context is brought up
    /// to date by the next refresh.
    /// </summary>
    private PlanBuild WithinBound(PlanBuild exact)
    {
        int max = _options().MaxSyncTokens;
        ModelSession session = _model.Session;
        int n = exact.Tokens.Length;
        if (max <= 0 || n == 0 || n - session.KeptAt(Math.Min(session.Held.CommonPrefixLength(exact.Tokens.Span), n - 1)) <= max)
        {
            return exact;
        }

        PlanBuild bounded = BoundedPrompt.Choose(exact, session.Held, _lastPlan?.Segments ?? [], session.KeptAt, max, _plan.Budget);
        if (bounded != exact)
        {
            _lag.Bounded();
        }

        return bounded;
    }

    /// <summary>
    /// Syncs a request to the exact plan or, past the bound, to a bounded prompt, and returns the one
    /// it synced to. The bound is checked against what the rollback keeps, spilled checkpoints
    /// included; when the rollback then keeps less (a spilled checkpoint failed to read back, a
    /// checkpoint was refused: both are gone after), the sync stops there and the prompt is chosen
    /// again from what the memory now holds, rather than decode from an older checkpoint past the bound.
    /// </summary>
    private PlanBuild SyncWithinBound(PlanBuild exact, CancellationToken cancellation)
    {
        PlanBuild build = WithinBound(exact);
        if (_options().MaxSyncTokens <= 0)
        {
            SyncTracked(exact, build, cancellation);
            return build;
        }

        // An attempt falls short only when a checkpoint it counted on fails, and that checkpoint is
        // dropped, so there are at most as many attempts as checkpoints; the cap says so, in case a
        // backend kept refusing a cut without dropping anything.
        ModelSession session = _model.Session;
        int attempts = session.Checkpoints.Count + session.SpilledCheckpoints.Count + 2;
        SyncFigures? shortOf = null;
        for (int attempt = 1; ; attempt++)
        {
            int syncs = _syncs;
            bool reached = SyncTracked(exact, build, cancellation, holdToKept: attempt < attempts);
            if (shortOf is { } earlier && _syncs != syncs && _lastSync is { } last)
            {
                // The restores of the attempts that fell short were copied all the same.
                _lastSync = last with { Restoring = earlier.Restoring + last.Restoring, Traffic = earlier.Traffic + last.Traffic };
            }

            if (reached)
            {
                return build;
            }

            _logger.LogWarning("sync: the rollback kept less than counted (a checkpoint failed to restore); choosing the prompt again");
            shortOf = _lastSync;
            build = WithinBound(exact);
        }
    }

    /// <summary>
    /// Syncs to <paramref name="build"/> (up to <paramref name="maxTokens"/> decoded) and records
    /// what the memory then lacks of <paramref name="exact"/>, also when the sync was cancelled.
    /// True when the memory holds all of <paramref name="build"/>.
    /// </summary>
    private bool SyncTracked(PlanBuild exact, PlanBuild build, CancellationToken cancellation, int maxTokens = int.MaxValue, bool holdToKept = false)
    {
        try
        {
            return SyncPlanned(build, cancellation, maxTokens, holdToKept);
        }
        finally
        {
            _lag.Synced(_options().MaxSyncTokens > 0 && _lastPlan is { } held
                ? BoundedPrompt.LagOf(exact, _model.Session.Held, held.Segments)
                : PromptLag.None);
        }
    }

    /// <summary>
    /// Brings the session to <paramref name="build"/>, or its first tokens when reaching the end would
    /// decode more than <paramref name="maxTokens"/>; a long sync runs in steps and reports progress.
    /// True when it reached the end. With <paramref name="holdToKept"/> it stops after a rollback
    /// that keeps less than <see cref="ModelSession.KeptAt"/> counted, and returns false.
    /// </summary>
    private bool SyncPlanned(PlanBuild build, CancellationToken cancellation, int maxTokens = int.MaxValue, bool holdToKept = false)
    {
        _lastPlan = new PlannedLayout([.. build.Segments], build.Hints);
        ModelSession session = _model.Session;
        int length = build.Tokens.Length;
        int start = session.Held.CommonPrefixLength(build.Tokens.Span);
        int stop = length;
        if (maxTokens < length)
        {
            int kept = length == 0 ? 0 : session.KeptAt(Math.Min(start, length - 1));
            stop = (int)Math.Min(length, (long)kept + Math.Max(1, maxTokens));
        }

        int pending = stop - start;
        var total = new SteppedSync(length);
        if (pending < _options().ProgressMinTokens)
        {
            return SyncStep(build, stop, holdToKept, total, cancellation) && stop == length;
        }

        int step = Math.Max(_model.BatchSize * 4, 256);
        bool reached = true;
        _observer.LongSync(pending, report =>
        {
            for (int end = start + step; end < stop; end += step)
            {
                if (!SyncStep(build, end, holdToKept, total, cancellation))
                {
                    reached = false;
                    return;
                }

                report((int)(100L * (end - start) / pending));
            }

            reached = SyncStep(build, stop, holdToKept, total, cancellation);
        });
        return reached && stop == length;
    }

    // One sync to the first `end` tokens; also a cancelled one counts: the session knows what it
    // decoded before stopping. Unchanged figures mean it stopped before it started. False when the
    // rollback kept less than counted (`holdToKept`) and the session stopped short of `end`.
    private bool SyncStep(PlanBuild build, int end, bool holdToKept, SteppedSync total, CancellationToken cancellation)
    {
        ModelSession session = _model.Session;
        SyncFigures before = session.LastFigures;
        try
        {
            session.Sync(build.Tokens.Span[..end], build.Hints, cancellation, holdToKept);
            return session.Held.Length == end;
        }
        finally
        {
            SyncFigures f = session.LastFigures;
            if (f != before)
            {
                _syncs++;
                total.Add(f);
                _lastSync = total.Total;
                if (f.Decoded > 0)
                {
                    _logger.LogDebug(
                        "sync: kept {Kept}, restored from {Restored}, decoded {Decoded} (ideal {Ideal}) in {Ms:F1} ms{Cancelled}",
                        f.Kept, f.RestoredFrom, f.Decoded, f.Ideal, f.Decoding.TotalMilliseconds, f.Cancelled ? ", cancelled" : string.Empty);
                }
            }
        }
    }

    /// <summary>Closed files that changed on disk are context of every open one: their suggestions may be stale.</summary>
    private int RefreshClosed(ClosedFilesOnDisk disk)
    {
        IReadOnlyList<string> changed = disk.Refresh(_plan);
        long now = Stopwatch.GetTimestamp();
        foreach (string uri in changed)
        {
            _cache.ForgetOthers(uri);
            _lag.Changed(uri, now);
        }

        return changed.Count;
    }

    /// <summary>Following the disk is an extra: whatever fails there is logged, never costs a completion or the plan.</summary>
    private void FollowDisk(Action<ClosedFilesOnDisk> action)
    {
        if (_disk is not { } disk)
        {
            return;
        }

        try
        {
            action(disk);
        }
#pragma warning disable CA1031 // An unexpected failure reading closed files must not cost the request.
        catch (Exception e)
#pragma warning restore CA1031
        {
            _logger.LogWarning(e, "Could not follow the closed files on disk");
        }
    }

    private void FollowDisk(Func<ClosedFilesOnDisk, int> action) => FollowDisk(disk => { _ = action(disk); });

    /// <summary>The text the plan holds for a document, open or closed; null once it left the plan.</summary>
    private string? HeldText(string uri) =>
        _plan.IsOpen(uri) ? _plan.GetText(uri)
        : _plan.KeptClosedUris.Contains(uri) ? _plan.GetClosedText(uri)
        : null;
}
