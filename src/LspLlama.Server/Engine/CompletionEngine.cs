using LspLlama.Core.Completion;
using LspLlama.Core.Documents;
using LspLlama.ModelFiles;
using LspLlama.Protocol;
using LspLlama.Remote;
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
public sealed record CompletionOutcome(string Suggestion, string Word, TextPosition Cursor, TextPosition WordStart);

/// <summary>
/// Connects the protocol to the model. The protocol side (this file) captures what a request saw,
/// in arrival order, and queues work for the one inference thread, where <see cref="ModelHost"/>
/// loads the model and its <see cref="ModelServing"/> keeps the plan fed, completes and prefills.
/// </summary>
public sealed class CompletionEngine : IDisposable
{
    private readonly SettingsStore _settings;
    private readonly DocumentStore _documents;
    private readonly ServerLifecycle _lifecycle;
    private readonly ILogger _logger;
    private readonly InferenceWorker _worker = new();
    private readonly ModelHost _host;
    private readonly StatusPublisher _status;
    private readonly Timer _idleTimer;
    private readonly Timer _diskTimer;
    private readonly object _gate = new();
    private int _diskLookQueued;
    private CancellationTokenSource? _latestCompletion;
    private bool _started;
    private volatile bool _disposed;

    public CompletionEngine(
        SettingsStore settings, DocumentStore documents, ServerLifecycle lifecycle, JsonRpc rpc, ILoggerFactory loggers, ModelLocator locator, IModelSessionHooks? hooks = null)
    {
        _settings = settings;
        _documents = documents;
        _lifecycle = lifecycle;
        _logger = loggers.CreateLogger("engine");
        _status = new StatusPublisher(rpc, lifecycle, _logger);
        _host = new ModelHost(
            () => settings.Current, documents, locator, hooks, _status, _logger, OnMutated,
            () => ClientOptionNames.ModelPath(lifecycle.Client.Name));
        _idleTimer = new Timer(_ => SchedulePrefill(), null, Timeout.Infinite, Timeout.Infinite);
        _diskTimer = new Timer(_ => ScheduleDiskLook(), null, DiskLookPeriod, DiskLookPeriod);
        settings.Changed += OnSettingsChanged;
    }

    /// <summary>The latest status; safe from any thread.</summary>
    public StatusReport Status => _status.Status;

    /// <summary>Items waiting for the inference thread (not counting the running one).</summary>
    public int QueuedWork => _worker.Queued;

    /// <summary>The inference thread (tests hold it busy to queue requests deterministically).</summary>
    public InferenceWorker Worker => _worker;

    /// <summary>The tokens the model's memory holds now, read on the inference thread (tests compare them with the bench's).</summary>
    public Task<int[]> HeldTokensAsync() =>
        _worker.RunAsync(_ => _host.Serving?.Model.Session.Held.ToArray() ?? [], WorkPriority.Urgent, CancellationToken.None);

    /// <summary>Loads the model (on the inference thread) once the client is ready.</summary>
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
    /// await, so it sees the document exactly as the request did. A newer request cancels this one
    /// (answered empty, without a message). Null when there is no model or nothing worth suggesting.
    /// </summary>
    public async Task<CompletionOutcome?> CompleteAsync(string uri, TextPosition position, CancellationToken cancellationToken)
    {
        TextDocument document = _documents.Find(uri)
            ?? throw new LocalRpcException($"no open document '{uri}'") { ErrorCode = LspErrorCodes.InvalidParams };
        PositionEncoding encoding = _lifecycle.Client.PositionEncoding;
        CompletionRequest request = document.ReadAround(position, encoding, (before, after, _) => new CompletionRequest(uri, before, after));
        int offset = request.Offset;
        FeedMark mark = _host.Mark();
        string word = WordBefore(request.Text.Tail);
        TextPosition cursor = document.PositionAt(offset, encoding);
        TextPosition wordStart = document.PositionAt(offset - word.Length, encoding);

        var mine = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        CancellationTokenSource? older;
        lock (_gate)
        {
            older = _latestCompletion;
            _latestCompletion = mine;
        }

        // Outside the lock: cancelling runs the older request's callbacks synchronously.
        CancelOlder(older);
        try
        {
            CompletionAnswer? answer = await _worker.RunAsync(
                token => _host.Serving?.Complete(request, offset, mark, token), WorkPriority.Urgent, mine.Token).ConfigureAwait(false);
            RefreshIfLagging();
            return answer?.Suggestion is { } suggestion ? new CompletionOutcome(suggestion, word, cursor, wordStart) : null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Superseded by a newer request, or the server is stopping: an ordinary event, answered
            // empty, since clients show an error answer to the user (eglot) or log it with a stack.
            // ($/cancelRequest keeps its own token, which StreamJsonRpc answers as RequestCancelled.)
            return null;
        }
        catch (RemoteEngineException e)
        {
            // The remote engine is down or restarting: answered empty, and the next request connects again.
            _logger.LogWarning("Completion in {Uri} failed: {Message}", uri, e.Message);
            return null;
        }
#pragma warning disable CA1031 // A failed completion is logged and answered empty; the server keeps serving.
        catch (Exception e) when (e is not (OperationCanceledException or LocalRpcException))
#pragma warning restore CA1031
        {
            _logger.LogError(e, "Completion in {Uri} failed", uri);
            return null;
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

            // The worker is done with the token: a cancelled item waiting in the queue leaves it
            // at once, and a running item completes its task only when its work returns.
            mine.Dispose();
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _status.Closing = true;
        _settings.Changed -= OnSettingsChanged;
        _idleTimer.Dispose();
        _diskTimer.Dispose();

        // The model is freed on the inference thread, after the running item stopped.
        _worker.Stop(_host.Unload);
        _worker.Dispose();
    }

    /// <summary>The identifier characters just before the cursor.</summary>
    public static string WordBefore(string prefix)
    {
        int start = prefix.Length;
        while (start > 0 && (char.IsLetterOrDigit(prefix[start - 1]) || prefix[start - 1] == '_'))
        {
            start--;
        }

        return prefix[start..];
    }

    private static void CancelOlder(CancellationTokenSource? older)
    {
        try
        {
            older?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // It finished (and let go of its source) between our lock and this call: nothing to stop.
        }
    }

    private void OnSettingsChanged(ServerSettings settings)
    {
        bool started;
        lock (_gate)
        {
            started = _started;
        }

        // The load itself compares with what is loaded and does only what changed.
        if (started && _host.NeedsLoad(settings))
        {
            ScheduleLoad();
        }
    }

    private void ScheduleLoad()
    {
        if (!_disposed)
        {
            Observe(_worker.RunAsync(_host.Load, WorkPriority.Control, CancellationToken.None), "loading the model");
        }
    }

    private void SchedulePrefill()
    {
        if (!_disposed && _host.HasModel)
        {
            Observe(_worker.RunAsync(token => _host.Serving?.Prefill(token) ?? false, WorkPriority.Background, CancellationToken.None), "prefilling");
        }
    }

    /// <summary>How often an idle server looks whether closed files it keeps changed on disk.</summary>
    public static readonly TimeSpan DiskLookPeriod = TimeSpan.FromSeconds(5);

    /// <summary>
    /// With background prefill on, closed files that changed on disk while the editor sent nothing
    /// (a checkout touching only closed files) are taken in and prefilled in the background, so the
    /// next request does not pay for them. One look at a time is queued; requests preempt it.
    /// </summary>
    private void ScheduleDiskLook()
    {
        if (_disposed || !_host.HasModel || _settings.Current.Completion.IdlePrefillMs <= 0
            || Interlocked.Exchange(ref _diskLookQueued, 1) == 1)
        {
            return;
        }

        Task<bool> look = _worker.RunAsync(token => _host.Serving?.LookAtDisk(token) ?? false, WorkPriority.Background, CancellationToken.None);
        look.ContinueWith(_ => Volatile.Write(ref _diskLookQueued, 0), TaskScheduler.Default);
        Observe(look, "looking at closed files on disk");
    }

    /// <summary>
    /// How soon a lagging context is refreshed when background prefill is off: the refresh is what
    /// makes a bounded completion's context converge on the documents, so it runs regardless.
    /// </summary>
    public const int LagRefreshDelayMs = 300;

    /// <summary>The longest wait before retrying a refresh that requests kept preempting.</summary>
    public const int MaxLagRefreshDelayMs = 10_000;

    /// <summary>A completion answered from a lagging context (or a refresh it preempted): the refresh is due once the editor is idle.</summary>
    private void RefreshIfLagging()
    {
        if (_host.Serving?.Lagging == true)
        {
            OnMutated();
        }
    }

    // Protocol thread, with the document store's lock held: keep it short.
    private void OnMutated()
    {
        int delay = _settings.Current.Completion.IdlePrefillMs;
        if (_host.Serving is { Lagging: true } lagging)
        {
            // Each refresh a request preempted cost that request the active part again: wait for a longer pause.
            int backoff = Math.Min(lagging.PreemptedRefreshes, 5);
            delay = Math.Min(MaxLagRefreshDelayMs, (delay > 0 ? delay : LagRefreshDelayMs) << backoff);
        }

        if (delay > 0 && !_disposed)
        {
            try
            {
                _idleTimer.Change(delay, Timeout.Infinite);
            }
            catch (ObjectDisposedException)
            {
                // Disposed between the check and the call: nothing left to prefill for.
            }
        }
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
