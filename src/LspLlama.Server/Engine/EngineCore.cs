using LspLlama.Core.Completion;
using LspLlama.Core.Context;
using LspLlama.Core.Session;
using LspLlama.ModelFiles;
using LspLlama.Protocol;
using LspLlama.Server;
using LspLlama.Server.Settings;
using LspLlama.Store;
using Microsoft.Extensions.Logging;
using StreamJsonRpc;

namespace LspLlama.Engine;

/// <summary>
/// What the inference thread owns: the loaded model, the context plan and its feed, the completion
/// pipeline and the figures for the status. Every member except <see cref="Status"/>,
/// <see cref="Mark"/>, <see cref="NeedsLoad"/> and <see cref="HasModel"/> runs on that thread.
/// </summary>
public sealed class EngineCore(ServerServices services, ModelLocator locator, IModelSessionHooks? hooks, ILogger logger, Action onMutated)
{
    private readonly PrefillProgress _progress = new(services);
    private volatile StatusReport _status = new(
        "noModel", null, null, null, 0, 0, new CheckpointStatus(0, 0), SyncStatus.None, GenerationStatus.None, 0, 0, null, "not started");

    private volatile ServerSettings? _loadedWith;
    private volatile PlanFeed? _feed;
    private LoadedModel? _model;
    private ContextPlan? _plan;
    private CompletionPipeline? _pipeline;
    private SuggestionCache? _cache;
    private ClosedFilesOnDisk? _closedOnDisk;
    private LogitSampler? _sampler;
    private SamplingOptions? _samplerOptions;
    private (string Uri, int Offset)? _lastCompletion;
    private SyncStatus _lastSync = SyncStatus.None;
    private GenerationStatus _lastGeneration = GenerationStatus.None;
    private PlanStatus? _lastPlan;
    private int _syncs;
    private bool _syncRan;
    private volatile bool _closing;
    private int _completions;

    /// <summary>What a request saw of the document mutations when it arrived.</summary>
    public readonly record struct FeedMark(PlanFeed? Feed, long Sequence);

    public StatusReport Status => _status;

    public bool HasModel => _feed is not null;

    /// <summary>Set when the server is stopping: no more messages to the client.</summary>
    public bool Closing
    {
        get => _closing;
        set => _closing = value;
    }

    /// <summary>Protocol thread: the mutation number a request arriving now must see.</summary>
    public FeedMark Mark()
    {
        PlanFeed? feed = _feed;
        return new FeedMark(feed, feed?.Sequence ?? 0);
    }

    /// <summary>True when <paramref name="settings"/> change the model, its checkpoints or the plan.</summary>
    public bool NeedsLoad(ServerSettings settings) =>
        _loadedWith is not { } loaded
        || loaded.Model != settings.Model || loaded.Checkpoints != settings.Checkpoints || loaded.Context != settings.Context;

    /// <summary>Loads (or reloads) the model for the current settings; only rebuilds the plan when only the plan settings changed.</summary>
    public bool Load(CancellationToken cancellationToken)
    {
        ServerSettings settings = services.Settings.Current;
        ServerSettings? previous = _loadedWith;
        if (previous is not null && previous.Model == settings.Model && previous.Checkpoints == settings.Checkpoints && _model is not null)
        {
            if (previous.Context != settings.Context)
            {
                _loadedWith = settings;
                return TryRebuildPlan(carryOver: true);
            }

            return true; // Several changes queued several loads; the first one did the work.
        }

        Unload();
        _loadedWith = settings;
        string? path = settings.Model.Path;
        if (path is null)
        {
            ModelLocator.Candidate? found = locator.FindBest();
            if (found is null)
            {
                string where = string.Join(", ", locator.Roots.Select(r => r.Folder));
                Fail("noModel", $"LspLlama: no model configured and none found in {where}. Set lspllama.model.path to a GGUF file; completions stay empty until then.", MessageType.Warning);
                return false;
            }

            logger.LogInformation("No model configured; using {Path} from the {Tool}", found.Path, found.Tool);
            path = found.Path;
        }

        Publish(BuildStatus("loading", $"loading {path}"));
        try
        {
            _model = LoadedModel.Load(path, settings.Model, settings.Checkpoints);
        }
#pragma warning disable CA1031 // Whatever the loader throws, the user must hear why, and the server keeps serving.
        catch (Exception e) when (e is not OperationCanceledException)
#pragma warning restore CA1031
        {
            Unload();
            Fail("error", $"LspLlama: {(e is InvalidModelFileException ? e.Message : $"cannot use model '{path}': {e.Message}")} Completions stay empty until the model is fixed.", MessageType.Error);
            return false;
        }

        if (!TryRebuildPlan())
        {
            return false;
        }

        logger.LogInformation(
            "Loaded {Path} ({Architecture}); {Memory}; layout {Layout}; checkpoint policy {Policy}",
            path, _model.Architecture, _model.Backend.Probe.Describe(), _plan!.Layout, _model.Session.PolicyName);
        IReadOnlyList<StoredDocument> remembered = [];
        RunHook("restoring a stored session", h => remembered = h.Loaded(_model, cancellationToken));
        FollowDisk(disk => disk.LayOut(_plan!, remembered));
        Publish(BuildStatus("ready", null));
        onMutated();
        return true;
    }

    /// <summary>Frees the model (after the hook saw it); also the worker's last action at shutdown.</summary>
    public void Unload()
    {
        if (_model is { } model)
        {
            RunHook("persisting the session", h => h.Unloading(model, PlannedDocuments));
        }

        DropPlan();
        _model?.Dispose();
        _model = null;
        _lastSync = SyncStatus.None;
        _lastGeneration = GenerationStatus.None;
        _lastPlan = null;
        _syncs = 0;
        _completions = 0;
    }

    public CompletionAnswer? Complete(CompletionRequest request, int offset, FeedMark mark, CancellationToken cancellation)
    {
        if (_model is not { } model || _plan is null || _pipeline is null || _feed is not { } feed)
        {
            return null;
        }

        _completions++;
        try
        {
            if (!CatchUp(request, mark, feed))
            {
                return null;
            }

            GenerationOptions options = services.Settings.Current.Completion.Generation;

            // The plan leaves the generation reserve free; generation must fit in it.
            options = options with { MaxTokens = Math.Min(options.MaxTokens, Math.Max(1, model.Backend.ContextSize - _plan.Budget)) };
            _lastCompletion = (request.DocumentId, offset);
            CompletionAnswer answer = _pipeline.Complete(request, options, token => SyncForCompletion(request.DocumentId, offset, options, token), cancellation);
            _lastGeneration = answer.Generation is { } g
                ? new GenerationStatus(g.Tokens, g.Elapsed.TotalMilliseconds, g.StopReason.ToString(), null)
                : new GenerationStatus(0, 0, null, Camel(answer.FromCache?.ToString()));
            return answer;
        }
        finally
        {
            Publish(BuildStatus("ready", null));
        }
    }

    /// <summary>
    /// Idle, with no edits to prefill for: takes in closed files that changed on disk and, when
    /// any did, prefills the context for the latest cursor. True when it synced.
    /// </summary>
    public bool LookAtDisk(CancellationToken cancellation)
    {
        if (_model is null || _plan is not { KeptClosedCount: > 0 })
        {
            return false;
        }

        int changed = 0;
        FollowDisk(disk => changed = RefreshClosed(disk));
        return changed > 0 && Prefill(cancellation);
    }

    public bool Prefill(CancellationToken cancellation)
    {
        if (_model is not { } model || _plan is null || _feed is not { } feed)
        {
            return false;
        }

        try
        {
            feed.ApplyTo(_plan);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            logger.LogError(e, "The context plan rejected a document change; rebuilding it from the documents");
            TryRebuildPlan();
            return false;
        }

        FollowDisk(disk => RefreshClosed(disk));
        (string Uri, int Offset)? target = feed.LastEdit is { } edit ? (edit.Uri, edit.Cursor) : _lastCompletion;
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
            SyncPlanned(model, _plan.Build(), cancellation);
        }
        finally
        {
            Publish(BuildStatus("ready", null));
        }

        RunHook("persisting the session", h => h.Idle(model, PlannedDocuments, cancellation));
        return true;
    }

    /// <summary>
    /// Applies the mutations the request saw. A feed replaced by a reload started from a newer
    /// snapshot: then all of it is applied, and the request goes unanswered unless the document
    /// still reads as it did.
    /// </summary>
    private bool CatchUp(CompletionRequest request, FeedMark mark, PlanFeed feed)
    {
        bool sameFeed = mark.Feed == feed;
        try
        {
            feed.ApplyTo(_plan!, sameFeed ? mark.Sequence : long.MaxValue);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            logger.LogError(e, "The context plan rejected a document change; rebuilding it from the documents");
            TryRebuildPlan();
            return false;
        }

        FollowDisk(disk => RefreshClosed(disk));
        if (!_plan!.IsOpen(request.DocumentId))
        {
            return false;
        }

        return sameFeed || _plan.GetText(request.DocumentId) == request.Prefix + request.Suffix;
    }

    private LlamaTokenGenerator SyncForCompletion(string uri, int offset, GenerationOptions options, CancellationToken cancellation)
    {
        LoadedModel model = _model!;
        _plan!.SetActive(uri, offset);
        SyncPlanned(model, _plan.Build(), cancellation);
        if (_sampler is null || _samplerOptions != options.Sampling)
        {
            _sampler = new LogitSampler(options.Sampling);
            _samplerOptions = options.Sampling;
        }

        return new LlamaTokenGenerator(model.Backend, model.Session, _sampler);
    }

    /// <summary>Brings the session to <paramref name="build"/>; a long sync reports <c>$/progress</c>.</summary>
    private void SyncPlanned(LoadedModel model, PlanBuild build, CancellationToken cancellation)
    {
        _lastPlan = new PlanStatus(
            [.. build.Segments.Select(s => new SegmentStatus(s.Uri, s.Start, s.Length, s.Active, s.Closed))],
            build.Hints.CursorLineStart,
            build.Hints.PrefixEnd,
            build.Hints.SuffixStart);
        RunHook("restoring a stored session", h => h.BeforeSync(model, build.Tokens));
        int pending = build.Tokens.Length - model.Session.Held.CommonPrefixLength(build.Tokens.Span);
        if (pending >= services.Settings.Current.Completion.ProgressMinTokens && !Closing)
        {
            _progress.Run(pending, report => SyncInSteps(model, build, report, cancellation));
        }
        else
        {
            Sync(model, build, cancellation);
        }
    }

    // Syncs to growing prefixes so a long sync can report progress between steps; each step
    // decodes only what the previous one did not, and the status shows the whole sync.
    private void SyncInSteps(LoadedModel model, PlanBuild build, Action<int> report, CancellationToken cancellation)
    {
        ReadOnlySpan<int> tokens = build.Tokens.Span;
        int held = model.Session.Held.Length;
        int start = model.Session.Held.CommonPrefixLength(tokens);
        int step = Math.Max(model.Backend.BatchSize * 4, 256);
        var total = new StepTotal(tokens.Length, held);
        for (int end = start + step; end < tokens.Length; end += step)
        {
            try
            {
                Sync(model, build with { Tokens = build.Tokens[..end] }, cancellation);
            }
            finally
            {
                _lastSync = total.Add(_lastSync, _syncRan);
            }

            report((int)(100L * (end - start) / (tokens.Length - start)));
        }

        try
        {
            Sync(model, build, cancellation);
        }
        finally
        {
            _lastSync = total.Add(_lastSync, _syncRan);
        }
    }

    private void Sync(LoadedModel model, PlanBuild build, CancellationToken cancellation)
    {
        SyncFigures before = model.Session.LastFigures;
        _syncRan = false;
        try
        {
            model.Session.Sync(build.Tokens.Span, build.Hints, cancellation);
        }
        finally
        {
            // Also a cancelled sync: the session knows what it decoded before stopping. Unchanged
            // figures mean it stopped before it started.
            SyncFigures f = model.Session.LastFigures;
            if (f != before)
            {
                _syncRan = true;
                _syncs++;
                _lastSync = new SyncStatus(
                    f.Kept, f.RestoredFrom, f.CommonPrefix, f.Decoded, f.Ideal, f.Desired,
                    (f.Decoding + f.Saving + f.Restoring).TotalMilliseconds,
                    f.Decoding.TotalMilliseconds, f.Saving.TotalMilliseconds, f.Restoring.TotalMilliseconds,
                    f.FullReprocess, f.Cancelled);
                if (f.Decoded > 0)
                {
                    logger.LogDebug(
                        "sync: kept {Kept}, restored from {Restored}, decoded {Decoded} (ideal {Ideal}) in {Ms:F1} ms{Cancelled}",
                        f.Kept, f.RestoredFrom, f.Decoded, f.Ideal, f.Decoding.TotalMilliseconds, f.Cancelled ? ", cancelled" : string.Empty);
                }
            }
        }
    }

    /// <summary>Sums the steps of a stepped sync into the figures of one sync to the whole sequence.</summary>
    private sealed class StepTotal(int desired, int heldBefore)
    {
        private SyncStatus? _first;
        private SyncStatus _sum = SyncStatus.None;

        public SyncStatus Add(SyncStatus step, bool ran)
        {
            if (!ran)
            {
                return _first is null ? step : _sum;
            }

            _first ??= step;
            _sum = step with
            {
                KeptTokens = _first.KeptTokens,
                RestoredFrom = _first.RestoredFrom,
                CommonTokens = _first.CommonTokens,
                IdealTokens = desired - _first.CommonTokens,
                DesiredTokens = desired,
                DecodedTokens = _sum.DecodedTokens + step.DecodedTokens,
                Ms = _sum.Ms + step.Ms,
                DecodeMs = _sum.DecodeMs + step.DecodeMs,
                SaveMs = _sum.SaveMs + step.SaveMs,
                RestoreMs = _sum.RestoreMs + step.RestoreMs,
                FullReprocess = _first.KeptTokens == 0 && heldBefore > 0,
            };
            return _sum;
        }
    }

    /// <summary>
    /// A new plan and feed from the documents as they are now (after a load, a change of the plan
    /// settings, or a change the plan rejected). The model memory stays: the next sync keeps the
    /// common prefix. With <paramref name="carryOver"/> (the plan settings changed) the new plan
    /// takes over the old one's documents, order and evictions, so that prefix reaches the first
    /// token the settings change; in open order, most of the context would be decoded again.
    /// False, with a message, when the plan settings do not fit the model.
    /// </summary>
    private bool TryRebuildPlan(bool carryOver = false)
    {
        ContextPlan? old = carryOver ? _plan : null;
        DropPlan();
        LoadedModel model = _model!;
        ContextSettings settings = services.Settings.Current.Context.Plan with { ContextSize = model.Backend.ContextSize };
        try
        {
            _plan = new ContextPlan(model.Tokenizer, settings);
        }
        catch (ArgumentException e)
        {
            Fail("error", $"LspLlama: the context settings do not fit the model ({e.Message}); completions stay empty until they do.", MessageType.Error);
            return false;
        }

        if (old is not null)
        {
            try
            {
                _plan = old.WithSettings(settings);
            }
#pragma warning disable CA1031 // Carrying over only spares decoding: a fresh plan is always right.
            catch (Exception e)
#pragma warning restore CA1031
            {
                logger.LogWarning(e, "Could not carry the documents over to the new context plan; it starts from the documents");
            }
        }

        _cache = new SuggestionCache();
        _pipeline = new CompletionPipeline(model.Tokenizer, TimeProvider.System, _cache);
        var feed = new PlanFeed(services.Documents);
        feed.Mutated += onMutated;
        var closedOnDisk = new ClosedFilesOnDisk(logger, ClosedFilesOnDisk.DefaultInterval);
        _closedOnDisk = closedOnDisk;
        feed.Closed += uri =>
        {
            _cache?.Forget(uri);
            closedOnDisk.Forget(uri);
        };
        feed.Changed += uri => _cache?.ForgetOthers(uri);

        // Carried over, the plan may still hold documents closed since its last mutation.
        foreach (string uri in _plan.OpenUris.Where(u => !feed.OpenAtStart.Contains(u)).ToArray())
        {
            _plan.Close(uri);
        }

        _feed = feed;
        return true;
    }

    private void DropPlan()
    {
        PlanFeed? feed = _feed;
        _feed = null;
        if (feed is not null)
        {
            feed.Mutated -= onMutated;
            feed.Dispose();
        }

        _plan = null;
        _pipeline = null;
        _cache = null;
        _closedOnDisk = null;
    }

    /// <summary>Closed files that changed on disk are context of every open one: their suggestions may be stale.</summary>
    private int RefreshClosed(ClosedFilesOnDisk disk)
    {
        IReadOnlyList<string> changed = disk.Refresh(_plan!);
        foreach (string uri in changed)
        {
            _cache?.ForgetOthers(uri);
        }

        return changed.Count;
    }

    /// <summary>Following the disk is an extra: whatever fails there is logged, never costs a completion or the plan.</summary>
    private void FollowDisk(Action<ClosedFilesOnDisk> action)
    {
        if (_closedOnDisk is not { } disk || _plan is null)
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
            logger.LogWarning(e, "Could not follow the closed files on disk");
        }
    }

    /// <summary>
    /// The documents of the plan the session last synced to, in plan order: what a saved session
    /// records. Asked for only when a save starts, since it reads every document's text.
    /// </summary>
    private StoredDocument[] PlannedDocuments() =>
        _lastPlan is { } synced
            ? [.. synced.Segments.Select(s => new StoredDocument(s.Uri, HeldText(s.Uri) is { } text && !text.Contains('\r', StringComparison.Ordinal)))]
            : [];

    /// <summary>The text the plan holds for a document, open or closed; null once it left the plan.</summary>
    private string? HeldText(string uri) =>
        _plan is not { } plan ? null
        : plan.IsOpen(uri) ? plan.GetText(uri)
        : plan.KeptClosedUris.Contains(uri) ? plan.GetClosedText(uri)
        : null;

    private void RunHook(string what, Action<IModelSessionHooks> call)
    {
        if (hooks is null)
        {
            return;
        }

        try
        {
            call(hooks);
        }
        catch (OperationCanceledException)
        {
            // Preempted by a request: the next idle moment tries again.
        }
#pragma warning disable CA1031 // Persistence must never cost a completion: log and go on.
        catch (Exception e)
#pragma warning restore CA1031
        {
            logger.LogWarning(e, "Failed {What}", what);
        }
    }

    private StatusReport BuildStatus(string state, string? message)
    {
        if (_model is not { } model)
        {
            return new StatusReport(state, null, null, null, 0, 0, new CheckpointStatus(0, 0), _lastSync, _lastGeneration, _syncs, _completions, null, message);
        }

        ModelSession session = model.Session;
        return new StatusReport(
            state,
            new ModelStatus(model.Path, model.Architecture),
            Camel(session.MemoryKind.ToString()),
            session.PolicyName,
            session.Held.Length,
            model.Backend.ContextSize,
            new CheckpointStatus(session.Checkpoints.Count, session.CheckpointBytes),
            _lastSync,
            _lastGeneration,
            _syncs,
            _completions,
            _lastPlan,
            message);
    }

    private void Fail(string state, string message, int messageType)
    {
        logger.Log(messageType == MessageType.Error ? LogLevel.Error : LogLevel.Warning, "{Message}", message);
        Publish(BuildStatus(state, message));
        Notify(LspMethods.ShowMessage, new ShowMessageParams(messageType, message));
    }

    private void Publish(StatusReport status)
    {
        _status = status;
        Notify(LspMethods.StatusChanged, status);
    }

    private void Notify(string method, object payload)
    {
        if (Closing || services.Lifecycle.IsShutDown)
        {
            return;
        }

        _ = services.Rpc.NotifyWithParameterObjectAsync(method, payload).ContinueWith(
            t =>
            {
                if (t.Exception?.InnerException is { } e && e is not (ConnectionLostException or ObjectDisposedException))
                {
                    logger.LogWarning(e, "Failed sending {Method}", method);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private static string? Camel(string? name) => string.IsNullOrEmpty(name) ? name : char.ToLowerInvariant(name[0]) + name[1..];
}
