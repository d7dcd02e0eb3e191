using System.Diagnostics;
using LLama.Common;
using LspLlama.Core.Session;
using LspLlama.Server;
using LspLlama.Server.Settings;
using LspLlama.Store;
using Microsoft.Extensions.Logging;

namespace LspLlama.Engine;

/// <summary>
/// Keeps one loaded model's memory in the session store: restores it on one of the first syncs
/// after the load once the stored tokens spare enough decoding, saves it in the background when
/// the editor is idle and the context changed substantially, and saves it for the last time
/// before the model is freed. The store settings are read when the model loads. Every member runs on the inference thread (or after it stopped); the disk write runs on
/// <see cref="BackgroundSaver"/>. Nothing here throws: a lost session only costs a prefill.
/// </summary>
public sealed class SessionPersistence
{
    /// <summary>The native library whose state format the files hold; a new one makes old files useless.</summary>
    public const string Engine = "llama.cpp 815a2a59";

    /// <summary>Syncs after a load that may still restore the stored session.</summary>
    public const int MaxRestoreAttempts = 8;

    private const int Sequence = 0;
    private readonly SessionStore _store;
    private readonly BackgroundSaver _saver;
    private readonly SavePolicy _policy;
    private readonly SessionKey _key;
    private readonly ILogger _logger;
    private readonly int _minUsefulTokens;
    private int _restoreAttempts;
    private bool _opened;
    private StoredSession? _stored; // Open while a restore may still pay off.

    public SessionPersistence(SessionStore store, SessionKey key, SavePolicy policy, ILogger logger, int minUsefulTokens = RestoreGain.DefaultMinUsefulTokens)
    {
        _store = store;
        _saver = new BackgroundSaver(store);
        _key = key;
        _policy = policy;
        _logger = logger;
        _minUsefulTokens = minUsefulTokens;
    }

    /// <summary>
    /// Persistence for a model just loaded from <paramref name="path"/>, or null when the server or
    /// the settings turn it off, or the model file cannot be fingerprinted.
    /// </summary>
    public static SessionPersistence? Create(ServerServices services, string path, ModelSettings model)
    {
        StoreSection settings = services.Settings.Current.Store;
        if (!services.PersistSessions || !settings.Enabled)
        {
            return null;
        }

        ILogger logger = services.Loggers.CreateLogger("store");
        try
        {
            var key = new SessionKey(SessionKey.NormalizeWorkspace(services.WorkspaceRoot), ModelFingerprint.Compute(path), StateSettingsOf(model));
            var store = new SessionStore(settings.Options, logger);
            store.Evict();
            return new SessionPersistence(store, key, SavePolicy.Default, logger);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            logger.LogWarning("Sessions will not be kept across restarts: {Reason}", e.Message);
            return null;
        }
    }

    /// <summary>
    /// What shapes the sequence state, as <see cref="LoadedModel.Load"/> creates the context:
    /// the KV types, flash attention and the SWA cache are LLamaSharp's defaults there.
    /// </summary>
    public static StateSettings StateSettingsOf(ModelSettings model)
    {
        var defaults = new ModelParams(string.Empty);
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
    /// Opens the stored session right after the load (the blobs are read only on a restore) and
    /// returns the documents it was planned from, in plan order; empty when there is none.
    /// </summary>
    public IReadOnlyList<StoredDocument> OpenStored()
    {
        EnsureOpened();
        return _stored?.Documents ?? [];
    }

    private void EnsureOpened()
    {
        if (!_opened)
        {
            _opened = true;
            _stored = _store.TryOpen(_key);
        }
    }

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
        if (_restoreAttempts >= MaxRestoreAttempts || desired.IsEmpty)
        {
            return false;
        }

        long started = Stopwatch.GetTimestamp();
        try
        {
            _restoreAttempts++;
            EnsureOpened();

            if (_stored is not { } stored)
            {
                _restoreAttempts = MaxRestoreAttempts;
                return false;
            }

            int reusable = RestoreGain.ReusableTokens(stored.Tokens, stored.Checkpoints, desired.ToArray(), model.Session.MemoryKind == MemoryKind.Attention);
            int kept = KeptBySession(model.Session, desired);
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

    /// <summary>What the session keeps of <paramref name="desired"/> on its own (as <see cref="RestoreGain.ReusableTokens"/> counts a stored one).</summary>
    private static int KeptBySession(ModelSession session, ReadOnlySpan<int> desired)
    {
        int common = session.Held.CommonPrefixLength(desired);
        if (session.MemoryKind == MemoryKind.Attention || common == session.Held.Length)
        {
            return common;
        }

        int best = 0;
        foreach (Checkpoint checkpoint in session.Checkpoints)
        {
            if (checkpoint.Position <= common && checkpoint.Position > best)
            {
                best = checkpoint.Position;
            }
        }

        return best;
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
    public void OnIdle(LoadedModel model, Func<IReadOnlyList<StoredDocument>> documents, CancellationToken cancellationToken)
    {
        // While the stored session may still be restored, a save would replace it with less.
        if (cancellationToken.IsCancellationRequested || _stored is not null || _saver.IsBusy
            || !_policy.ShouldSaveWhenIdle(model.Session.Held.ToArray(), DateTime.UtcNow))
        {
            return;
        }

        StartSave(model, documents);
    }

    /// <summary>Before the model is freed (reload, shutdown): saves what changed and waits for the disk.</summary>
    public void SaveBeforeUnload(LoadedModel model, Func<IReadOnlyList<StoredDocument>> documents)
    {
        // A running idle save would refuse the final one, which is newer.
        CloseStored();
        Wait();
        if (_policy.ShouldSaveOnShutdown(model.Session.Held.ToArray()) && StartSave(model, documents))
        {
            Wait();
        }
    }

    /// <summary>Waits for a background save, if one runs (tests).</summary>
    public Task WaitForSaveAsync() => _saver.WaitAsync();

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
