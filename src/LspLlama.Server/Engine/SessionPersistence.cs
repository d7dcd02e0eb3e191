using System.Diagnostics;
using LLama.Common;
using LspLlama.Core.Session;
using LspLlama.Server.Settings;
using LspLlama.Store;
using Microsoft.Extensions.Logging;

namespace LspLlama.Engine;

/// <summary>
/// The session store behind <see cref="IModelSessionHooks"/>: keeps each loaded model's memory in
/// the store. It restores it on one of the first syncs after the load once the stored tokens spare
/// enough decoding, saves it in the background when the editor is idle and the context changed
/// substantially, and saves it for the last time before the model is freed. Where a model is kept
/// (store, key, save policy) is decided when it loads. Every member runs on the inference thread
/// (or after it stopped); the disk write runs on <see cref="BackgroundSaver"/>. Nothing here
/// throws: a lost session only costs a prefill.
/// </summary>
public sealed class SessionPersistence : IModelSessionHooks
{
    /// <summary>The native library whose state format the files hold; a new one makes old files useless.</summary>
    public const string Engine = "llama.cpp 815a2a59";

    /// <summary>Syncs after a load that may still restore the stored session.</summary>
    public const int MaxRestoreAttempts = 8;

    private const int Sequence = 0;
    private readonly Func<LoadedModel, KeptIn?> _keptIn;
    private readonly ILogger _logger;
    private readonly int _minUsefulTokens;

    // Where the loaded model is kept: set by Loaded, and read only while _keeping.
    private SessionStore _store = null!;
    private BackgroundSaver _saver = null!;
    private SavePolicy _policy = null!;
    private SessionKey _key = null!;
    private bool _keeping;
    private int _restoreAttempts;
    private StoredSession? _stored; // Open while a restore may still pay off.

    /// <param name="keptIn">Where a model just loaded is kept; null: not at all.</param>
    public SessionPersistence(Func<LoadedModel, KeptIn?> keptIn, ILogger logger, int minUsefulTokens = RestoreGain.DefaultMinUsefulTokens)
    {
        _keptIn = keptIn;
        _logger = logger;
        _minUsefulTokens = minUsefulTokens;
    }

    /// <summary>The store, the file's key and when to save, for one loaded model.</summary>
    public sealed record KeptIn(SessionStore Store, SessionKey Key, SavePolicy Policy);

    /// <summary>
    /// The server's persistence: a model is kept in the store the settings name, under the
    /// workspace, the model file's fingerprint and the state settings, unless the settings turn the
    /// store off or the model file cannot be fingerprinted. Both are read when a model loads.
    /// </summary>
    public static SessionPersistence ForServer(SettingsStore settings, Func<string?> workspaceRoot, ILoggerFactory loggers)
    {
        ILogger logger = loggers.CreateLogger("store");
        return new SessionPersistence(
            model =>
            {
                StoreSection store = settings.Current.Store;
                if (!store.Enabled)
                {
                    return null;
                }

                try
                {
                    var key = new SessionKey(SessionKey.NormalizeWorkspace(workspaceRoot()), ModelFingerprint.Compute(model.Path), StateSettingsOf(settings.Current.Model));
                    var kept = new SessionStore(store.Options, logger);
                    kept.Evict();
                    return new KeptIn(kept, key, SavePolicy.CreateDefault());
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
                {
                    logger.LogWarning("Sessions will not be kept across restarts: {Reason}", e.Message);
                    return null;
                }
            },
            logger);
    }

    /// <summary>
    /// What shapes the sequence state, as <see cref="LoadedModel.Load"/> creates the context (from
    /// the same <see cref="LoadedModel.Parameters"/>): the KV types and flash attention are
    /// LLamaSharp's defaults there, the SWA cache and the recurrent rollback states ours.
    /// </summary>
    public static StateSettings StateSettingsOf(ModelSettings model)
    {
        ModelParams defaults = LoadedModel.Parameters(string.Empty, model);
        return new StateSettings(
            (uint)model.ContextSize,
            defaults.TypeK?.ToString() ?? "default",
            defaults.TypeV?.ToString() ?? "default",
            defaults.RecurrentRollbackSnapshots,
            Describe(defaults.FlashAttention) is var flash && flash != "False" && flash != "Disabled",
            LoadedModel.SwaFull,
            Engine);
    }

    private static string Describe(object? value) => value?.ToString() ?? "default";

    /// <summary>
    /// Decides where the model just loaded is kept, opens its stored session (the blobs are read
    /// only on a restore) and returns the documents it was planned from, in plan order; empty when
    /// there is none.
    /// </summary>
    public IReadOnlyList<StoredDocument> Loaded(LoadedModel model, CancellationToken cancellationToken)
    {
        CloseStored();
        _keeping = false;
        if (_keptIn(model) is not { } keptIn)
        {
            return [];
        }

        (_store, _key, _policy) = (keptIn.Store, keptIn.Key, keptIn.Policy);
        _saver = new BackgroundSaver(_store);
        _keeping = true;
        _restoreAttempts = 0;
        _stored = _store.TryOpen(_key);
        IReadOnlyList<StoredDocument> inside = WorkspaceDocuments.Inside(_stored?.Documents ?? [], _key.Workspace, out int refused);
        if (refused > 0)
        {
            _logger.LogWarning("The stored session names {Count} files outside the workspace {Workspace}; they are not read", refused, _key.Workspace);
        }

        return inside;
    }

    /// <summary>Before a sync: restores the stored session when it pays (<see cref="TryRestore"/>); a no-op once restored or given up.</summary>
    public void BeforeSync(LoadedModel model, ReadOnlyMemory<int> planned) => TryRestore(model, planned.Span);

    /// <summary>
    /// Call right before each sync with the whole planned sequence. Loads the stored session when
    /// it spares at least the minimum of decoding beyond what the session could keep itself; the
    /// sync then rolls back from it as usual. Until then the file stays open and later syncs ask
    /// again (an editor reopens its files one by one, so the first plan may hold only some of
    /// them), up to <see cref="MaxRestoreAttempts"/> syncs. True when the session now holds the
    /// stored tokens.
    /// </summary>
    public bool TryRestore(LoadedModel model, ReadOnlySpan<int> desired)
    {
        if (!_keeping || _restoreAttempts >= MaxRestoreAttempts || desired.IsEmpty)
        {
            return false;
        }

        long started = Stopwatch.GetTimestamp();
        try
        {
            _restoreAttempts++;

            if (_stored is not { } stored)
            {
                _restoreAttempts = MaxRestoreAttempts;
                return false;
            }

            int reusable = RestoreGain.ReusableTokens(stored.Tokens, stored.Checkpoints, desired.ToArray(), model.Session.MemoryKind, model.Backend.SlidingWindow);
            int kept = model.Session.KeptFor(desired);
            if (reusable < kept + _minUsefulTokens || stored.Tokens.Count > model.Backend.ContextSize)
            {
                _logger.LogDebug(
                    "Not loading the stored session {Path} now: it spares {Reusable} of the {Desired} planned tokens, the session {Kept}", stored.Path, reusable, desired.Length, kept);
                if (_restoreAttempts >= MaxRestoreAttempts || kept >= stored.Tokens.Count)
                {
                    _logger.LogInformation("Not loading the stored session {Path}: its tokens do not match the documents", stored.Path);
                    CloseStored();
                }

                return false;
            }

            RestoredSession? restored = LlamaStateTransfer.Restore(stored, model.Backend.Context, Sequence);
            CloseStored();
            if (restored is null)
            {
                model.Session.Reset();
                _logger.LogWarning("Could not load the stored session {Path}; decoding the context from the start", stored.Path);
                return false;
            }

            model.Session.Adopt(restored.Held, restored.Checkpoints.Select(c => (c.Position, c.Data)));
            _policy.MarkSaved(restored.Held, DateTime.UtcNow);
            _logger.LogInformation(
                "Restored the stored session {Path}: {Tokens} tokens, {Checkpoints} checkpoints in {Ms} ms; {Reusable} of the {Desired} planned tokens need no decoding",
                stored.Path, restored.Held.Length, model.Session.Checkpoints.Count, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds, reusable, desired.Length);
            return true;
        }
#pragma warning disable CA1031 // A stored session is an optimisation: any failure means a normal prefill.
        catch (Exception e)
#pragma warning restore CA1031
        {
            CloseStored();
            model.Session.Reset();
            _logger.LogWarning(e, "Could not load the stored session; decoding the context from the start");
            return false;
        }
    }

    private void CloseStored()
    {
        _restoreAttempts = MaxRestoreAttempts;
        _stored?.Dispose();
        _stored = null;
    }

    /// <summary>
    /// The editor is idle and the session is in step with the documents: starts a background save
    /// when the save policy wants one and no save is running. Copying the state out of the context
    /// runs here (memory speed); the disk write does not hold up the worker.
    /// </summary>
    public void Idle(LoadedModel model, Func<IReadOnlyList<StoredDocument>> documents, CancellationToken cancellationToken)
    {
        // While the stored session may still be restored, a save would replace it with less.
        if (!_keeping || cancellationToken.IsCancellationRequested || _stored is not null || _saver.IsBusy
            || !_policy.ShouldSaveWhenIdle(model.Session.Held.ToArray(), DateTime.UtcNow))
        {
            return;
        }

        StartSave(model, documents);
    }

    /// <summary>Before the model is freed (reload, shutdown): saves what changed and waits for the disk.</summary>
    public void Unloading(LoadedModel model, Func<IReadOnlyList<StoredDocument>> documents)
    {
        if (!_keeping)
        {
            return;
        }

        // A running idle save would refuse the final one, which is newer.
        CloseStored();
        Wait();
        if (_policy.ShouldSaveOnShutdown(model.Session.Held.ToArray()) && StartSave(model, documents))
        {
            Wait();
        }

        _keeping = false;
    }

    /// <summary>Waits for a background save, if one runs (tests).</summary>
    public Task WaitForSaveAsync() => _keeping ? _saver.WaitAsync() : Task.CompletedTask;

    private bool StartSave(LoadedModel model, Func<IReadOnlyList<StoredDocument>> documents)
    {
        NativeStateBuffer? state;
        try
        {
            state = LlamaStateTransfer.CaptureFullState(model.Backend.Context, Sequence);
        }
#pragma warning disable CA1031 // Never cost the worker a failure to save.
        catch (Exception e)
#pragma warning restore CA1031
        {
            _logger.LogWarning(e, "Could not copy the session state for saving");
            return false;
        }

        if (state is null)
        {
            return false;
        }

        int[] tokens = model.Session.Held.ToArray();
        SessionSnapshot snapshot;
        try
        {
            snapshot = LlamaStateTransfer.Snapshot(tokens, model.Session.Checkpoints, state, copyCheckpoints: true) with { Documents = documents() };
        }
        catch
        {
            state.Dispose();
            throw;
        }

        if (!_saver.TryStart(_key, snapshot, state.Dispose))
        {
            return false;
        }

        // Marked when the save starts, so the policy does not queue the same context again; a save
        // that fails is logged by the store, and the next substantial change tries again.
        _policy.MarkSaved(tokens, DateTime.UtcNow);
        return true;
    }

    private void Wait()
    {
        try
        {
            _saver.WaitAsync().GetAwaiter().GetResult();
        }
#pragma warning disable CA1031 // The store logs its own failures; here only waiting matters.
        catch (Exception e)
#pragma warning restore CA1031
        {
            _logger.LogWarning(e, "Saving the session failed");
        }
    }
}
