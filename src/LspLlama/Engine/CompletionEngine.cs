using LspLlama.Core.Completion;
using LspLlama.Core.Context;
using LspLlama.Core.Documents;
using LspLlama.Core.Session;
using LspLlama.Model;
using LspLlama.Protocol;
using LspLlama.Server;
using LspLlama.Server.Settings;
using Microsoft.Extensions.Logging;
using StreamJsonRpc;

namespace LspLlama.Engine;

/// <summary>
/// A suggestion to insert at <paramref name="Cursor"/>. <paramref name="Word"/> is the identifier
/// typed just before the cursor, starting at <paramref name="WordStart"/> (classic completion
/// replaces it). Positions are in the client's encoding, as the document was when the request came.
/// </summary>
internal sealed record CompletionOutcome(string Suggestion, string Word, TextPosition Cursor, TextPosition WordStart);

/// <summary>
/// Connects the protocol to the model: loads the model, keeps the context plan fed with document
/// mutations, and runs completions and idle prefills on the one inference thread.
/// Protocol-thread members capture what a request saw, in order; everything that touches the
/// model, the plan or the session runs on <see cref="InferenceWorker"/>.
/// </summary>
internal sealed class CompletionEngine : IDisposable
{
    private readonly ServerServices _services;
    private readonly ILogger _logger;
    private readonly InferenceWorker _worker = new();
    private readonly ModelLocator _locator;
    private readonly PrefillProgress _progress;
    private readonly Timer _idleTimer;
    private readonly object _gate = new();
    private CancellationTokenSource? _latestCompletion;
    private bool _started;
    private volatile StatusReport _status;

    // Inference-thread state.
    private ServerSettings? _loadedWith;
    private LoadedModel? _model;
    private ContextPlan? _plan;
    private volatile PlanFeed? _feed;
    private CompletionPipeline? _pipeline;
    private LogitSampler? _sampler;
    private SamplingOptions? _samplerOptions;
    private (string Uri, int Offset)? _lastCompletion;
    private SyncStatus? _lastSync;
    private GenerationStatus? _lastGeneration;
    private SessionPersistence? _persistence; // Session store: see SessionPersistence.

    public CompletionEngine(ServerServices services, ModelLocator locator)
    {
        _services = services;
        _locator = locator;
        _logger = services.Loggers.CreateLogger("engine");
        _progress = new PrefillProgress(services);
        _status = new StatusReport("noModel", null, null, null, 0, 0, new CheckpointStatus(0, 0), null, null, "not started");
        _idleTimer = new Timer(_ => SchedulePrefill(), null, Timeout.Infinite, Timeout.Infinite);
        services.Settings.Changed += OnSettingsChanged;
    }

    /// <summary>The latest status; safe from any thread.</summary>
    public StatusReport Status => _status;

    /// <summary>Items waiting for the inference thread (for tests and the status).</summary>
    public int QueuedWork => _worker.Queued;

    /// <summary>Loads the model (in the background) once the client is ready.</summary>
    public void Start()
    {
        lock (_gate)
        {
            _started = true;
        }

        ScheduleLoad();
    }

    /// <summary>
    /// Completes at <paramref name="position"/>. Must be called on the protocol thread before any
    /// await, so it sees the document exactly as the request did. A newer request cancels this one.
    /// Null when there is no model or nothing worth suggesting.
    /// </summary>
    public async Task<CompletionOutcome?> CompleteAsync(string uri, TextPosition position, CancellationToken cancellationToken)
    {
        TextDocument document = _services.Documents.Find(uri)
            ?? throw new LocalRpcException($"no open document '{uri}'") { ErrorCode = LspErrorCodes.InvalidParams };
        (string text, _) = document.Snapshot();
        int offset = document.OffsetAt(position, _services.PositionEncoding);
        PlanFeed? feed = _feed;
        long sequence = feed?.Sequence ?? 0;
        var request = new CompletionRequest(uri, text[..offset], text[offset..]);
        string word = WordBefore(request.Prefix);
        TextPosition cursor = document.PositionAt(offset, _services.PositionEncoding);
        TextPosition wordStart = document.PositionAt(offset - word.Length, _services.PositionEncoding);

        var mine = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        lock (_gate)
        {
            _latestCompletion?.Cancel();
            _latestCompletion = mine;
        }

        try
        {
            CompletionAnswer? answer = await _worker.RunAsync(
                token => RunCompletion(request, offset, feed, sequence, token), WorkPriority.Urgent, mine.Token).ConfigureAwait(false);
            return answer?.Suggestion is { } suggestion ? new CompletionOutcome(suggestion, word, cursor, wordStart) : null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new LocalRpcException("superseded by a newer completion request") { ErrorCode = LspErrorCodes.RequestCancelled };
        }
        finally
        {
            lock (_gate)
            {
                if (_latestCompletion == mine)
                {
                    _latestCompletion = null;
                }
            }

            mine.Dispose();
        }
    }

    public void Dispose()
    {
        _services.Settings.Changed -= OnSettingsChanged;
        _idleTimer.Dispose();
        _worker.Dispose();
        Unload();
    }

    /// <summary>The identifier characters just before the cursor.</summary>
    internal static string WordBefore(string prefix)
    {
        int start = prefix.Length;
        while (start > 0 && (char.IsLetterOrDigit(prefix[start - 1]) || prefix[start - 1] == '_'))
        {
            start--;
        }

        return prefix[start..];
    }

    private void OnSettingsChanged(ServerSettings settings)
    {
        bool started;
        lock (_gate)
        {
            started = _started;
        }

        // Only what shapes the model, its context or the plan needs a reload; the rest is read per request.
        ServerSettings? loaded = _loadedWith;
        if (started && (loaded is null || loaded.Model != settings.Model || loaded.Checkpoints != settings.Checkpoints || loaded.Context != settings.Context))
        {
            ScheduleLoad();
        }
    }

    private void ScheduleLoad() => Observe(_worker.RunAsync(_ => Load(), WorkPriority.Background, CancellationToken.None), "loading the model");

    private void SchedulePrefill()
    {
        if (_feed is not null)
        {
            Observe(_worker.RunAsync(Prefill, WorkPriority.Background, CancellationToken.None), "prefilling");
        }
    }

    private void OnMutated()
    {
        int delay = _services.Settings.Current.Completion.IdlePrefillMs;
        if (delay > 0)
        {
            _idleTimer.Change(delay, Timeout.Infinite);
        }
    }

    private bool Load()
    {
        ServerSettings settings = _services.Settings.Current;
        if (_loadedWith is { } previous && previous.Model == settings.Model && previous.Checkpoints == settings.Checkpoints
            && previous.Context == settings.Context && _model is not null)
        {
            return true; // Several changes queued several loads; the first one did the work.
        }

        Unload();
        _loadedWith = settings;
        string? path = settings.Model.Path;
        if (path is null)
        {
            ModelLocator.Candidate? found = _locator.FindBest();
            if (found is null)
            {
                string where = string.Join(", ", _locator.Roots.Select(r => r.Folder));
                Fail("noModel", $"LspLlama: no model configured and none found ({where}). Set lspllama.model.path to a GGUF file; text sync keeps working.", MessageType.Warning);
                return false;
            }

            _logger.LogInformation("No model configured; using {Path} from the {Tool}", found.Path, found.Tool);
            path = found.Path;
        }

        Publish(_status with { State = "loading", Message = $"loading {path}" });
        try
        {
            _model = LoadedModel.Load(path, settings.Model, settings.Checkpoints);
            _plan = new ContextPlan(_model.Tokenizer, settings.Context.Plan with { ContextSize = _model.Backend.ContextSize });
        }
        catch (Exception e) when (e is InvalidModelFileException or ArgumentException or InvalidOperationException or LLama.Exceptions.RuntimeError)
        {
            Unload();
            Fail("error", e is InvalidModelFileException ? e.Message : $"Cannot use model '{path}': {e.Message}", MessageType.Error);
            return false;
        }

        _persistence = SessionPersistence.Create(_services, path, settings.Model); // Session store.
        _pipeline = new CompletionPipeline(_model.Tokenizer, TimeProvider.System, new SuggestionCache());
        _logger.LogInformation(
            "Loaded {Path} ({Architecture}); {Memory}; layout {Layout}; checkpoint policy {Policy}",
            path, _model.Architecture, _model.Backend.Probe.Describe(), _plan.Layout, _model.Session.PolicyName);
        var feed = new PlanFeed(_services.Documents);
        feed.Mutated += OnMutated;
        _feed = feed;
        Publish(BuildStatus("ready", null));
        OnMutated();
        return true;
    }

    private void Unload()
    {
        PlanFeed? feed = _feed;
        _feed = null;
        feed?.Dispose();
        if (_model is not null)
        {
            _persistence?.SaveBeforeUnload(_model); // Session store: the last save before the model is freed.
        }

        _persistence = null;
        _model?.Dispose();
        _model = null;
        _plan = null;
        _pipeline = null;
        _lastSync = null;
        _lastGeneration = null;
    }

    private CompletionAnswer? RunCompletion(CompletionRequest request, int offset, PlanFeed? feed, long sequence, CancellationToken cancellation)
    {
        if (_model is null || _plan is null || _pipeline is null || _feed is null)
        {
            return null;
        }

        // A feed replaced by a reload started from a newer snapshot: apply all of it.
        _feed.ApplyTo(_plan, feed == _feed ? sequence : long.MaxValue);
        if (!_plan.IsOpen(request.DocumentId))
        {
            return null;
        }

        GenerationOptions options = _services.Settings.Current.Completion.Generation;
        // The plan leaves the generation reserve free; generation must fit in it.
        options = options with { MaxTokens = Math.Min(options.MaxTokens, Math.Max(1, _model.Backend.ContextSize - _plan.Budget)) };
        _lastCompletion = (request.DocumentId, offset);
        try
        {
            CompletionAnswer answer = _pipeline.Complete(request, options, token => SyncForCompletion(request.DocumentId, offset, options, token), cancellation);
            _lastGeneration = answer.Generation is { } g
                ? new GenerationStatus(g.Tokens, g.Elapsed.TotalMilliseconds, g.StopReason.ToString(), null)
                : new GenerationStatus(0, 0, null, answer.FromCache?.ToString());
            return answer;
        }
        finally
        {
            Publish(BuildStatus("ready", null));
        }
    }

    private LlamaTokenGenerator SyncForCompletion(string uri, int offset, GenerationOptions options, CancellationToken cancellation)
    {
        LoadedModel model = _model!;
        _plan!.SetActive(uri, offset);
        PlanBuild build = _plan.Build();
        _persistence?.TryRestore(model, build.Tokens.Span); // Session store: a no-op once restored or given up.
        Sync(model, build, cancellation);
        if (_sampler is null || _samplerOptions != options.Sampling)
        {
            _sampler = new LogitSampler(options.Sampling);
            _samplerOptions = options.Sampling;
        }

        return new LlamaTokenGenerator(model.Backend, model.Session, _sampler);
    }

    private bool Prefill(CancellationToken cancellation)
    {
        if (_model is not { } model || _plan is null || _feed is not { } feed)
        {
            return false;
        }

        feed.ApplyTo(_plan);
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

        PlanBuild build = _plan.Build();
        _persistence?.TryRestore(model, build.Tokens.Span); // Session store: a no-op once restored or given up.
        int pending = build.Tokens.Length - model.Session.Held.CommonPrefixLength(build.Tokens.Span);
        try
        {
            if (pending >= PrefillProgress.Threshold)
            {
                _progress.Run(pending, report => SyncInSteps(model, build, report, cancellation));
            }
            else
            {
                Sync(model, build, cancellation);
            }
        }
        finally
        {
            Publish(BuildStatus("ready", null));
        }

        _persistence?.OnIdle(model, cancellation); // Session store: a background save when the context changed enough.
        return true;
    }

    // Syncs to growing prefixes so a long prefill can report progress between steps; each step
    // decodes only what the previous one did not.
    private void SyncInSteps(LoadedModel model, PlanBuild build, Action<int> report, CancellationToken cancellation)
    {
        ReadOnlySpan<int> tokens = build.Tokens.Span;
        int start = model.Session.Held.CommonPrefixLength(tokens);
        int step = Math.Max(model.Backend.BatchSize * 4, 1024);
        for (int end = start + step; end < tokens.Length; end += step)
        {
            Sync(model, build with { Tokens = build.Tokens[..end] }, cancellation);
            report((int)(100L * (end - start) / (tokens.Length - start)));
        }

        Sync(model, build, cancellation);
    }

    private void Sync(LoadedModel model, PlanBuild build, CancellationToken cancellation)
    {
        try
        {
            model.Session.Sync(build.Tokens.Span, build.Hints, cancellation);
        }
        finally
        {
            // Also a cancelled sync: the session knows what it decoded before stopping.
            SyncFigures f = model.Session.LastFigures;
            _lastSync = new SyncStatus(
                f.Kept, f.RestoredFrom, f.Decoded, f.Ideal,
                (f.Decoding + f.Saving + f.Restoring).TotalMilliseconds,
                f.Decoding.TotalMilliseconds, f.Saving.TotalMilliseconds, f.Restoring.TotalMilliseconds,
                f.FullReprocess, f.Cancelled);
            if (f.Decoded > 0)
            {
                _logger.LogDebug(
                    "sync: kept {Kept}, restored from {Restored}, decoded {Decoded} (ideal {Ideal}) in {Ms:F1} ms{Cancelled}",
                    f.Kept, f.RestoredFrom, f.Decoded, f.Ideal, f.Decoding.TotalMilliseconds, f.Cancelled ? ", cancelled" : string.Empty);
            }
        }
    }

    private StatusReport BuildStatus(string state, string? message)
    {
        if (_model is not { } model)
        {
            return new StatusReport(state, null, null, null, 0, 0, new CheckpointStatus(0, 0), null, null, message);
        }

        ModelSession session = model.Session;
        return new StatusReport(
            state,
            new ModelStatus(model.Path, model.Architecture),
            session.MemoryKind.ToString(),
            session.PolicyName,
            session.Held.Length,
            model.Backend.ContextSize,
            new CheckpointStatus(session.Checkpoints.Count, session.CheckpointBytes),
            _lastSync,
            _lastGeneration,
            message);
    }

    private void Fail(string state, string message, int messageType)
    {
        _logger.Log(messageType == MessageType.Error ? LogLevel.Error : LogLevel.Warning, "{Message}", message);
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
        if (_services.Lifecycle.IsShutDown)
        {
            return;
        }

        Observe(_services.Rpc.NotifyWithParameterObjectAsync(method, payload), $"sending {method}");
    }

    private void Observe(Task task, string what) =>
        task.ContinueWith(
            t =>
            {
                if (t.Exception is { } e && e.InnerException is not (ConnectionLostException or ObjectDisposedException))
                {
                    _logger.LogError(e.InnerException, "Failed {What}", what);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
}
