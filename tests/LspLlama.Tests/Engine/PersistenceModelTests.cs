using LspLlama.Core.Session;
using LspLlama.Engine;
using LspLlama.Server.Settings;
using LspLlama.Store;
using LspLlama.Tests.Store;
using LspLlama.Tests.Support;
using Xunit;

namespace LspLlama.Tests.Engine;

/// <summary>
/// <see cref="SessionPersistence"/> on real tiny models, below the protocol: an idle save, a
/// restore on the next load that rolls back like any sync, and the cases where it does nothing.
/// </summary>
public sealed class PersistenceModelTests : IDisposable
{
    private static readonly ModelSettings s_model = new(ContextSize: 512, BatchSize: 64, MicroBatchSize: 64);
    private readonly TempFolder _folder = new();
    private readonly RecordingLogger _log = new();
    private readonly int[] _tokens = [.. Enumerable.Range(0, 300).Select(i => (i * 37 + 11) % 250)];
    private readonly StoredDocument[] _documents = [new("file:///work/space/b.cs", true), new("untitled:Untitled-1", false), new("file:///work/space/a%20b.cs", true)];

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void An_idle_save_restored_on_the_next_load_gives_the_logits_of_decoding_from_scratch()
    {
        string model = TinyModels.Get(TinyArch.GraniteHybrid);
        using (LoadedModel first = Load(model))
        {
            first.Session.Sync(_tokens, new SyncHints([0, 120], 240, 280), CancellationToken.None);
            SessionPersistence persistence = Kept(first, model, minChangedTokens: 100);
            persistence.Idle(first, () => _documents, CancellationToken.None);

            // Waits for the idle save; the context did not change since, so nothing more is written.
            persistence.Unloading(first, () => _documents);
        }

        Assert.Single(_log.Entries, e => e.Message.StartsWith("Saved the session", StringComparison.Ordinal));
        int[] desired = [.. _tokens[..250], .. Enumerable.Range(0, 40).Select(i => (i * 13) % 250)];
        float[] restoredLogits;
        using (LoadedModel second = Load(model))
        {
            SessionPersistence restoring = Persistence(model);
            Assert.Equal(_documents, restoring.Loaded(second, CancellationToken.None));
            Assert.True(restoring.TryRestore(second, desired));
            Assert.Equal(_tokens, second.Session.Held.ToArray());
            SyncFigures f = second.Session.Sync(desired, SyncHints.None, CancellationToken.None);
            Assert.InRange(f.Kept, 120, 250);
            Assert.Equal(desired.Length - f.Kept, f.Decoded);
            restoredLogits = second.Backend.Logits().ToArray();
        }

        using LoadedModel scratch = Load(model);
        scratch.Session.Sync(desired, SyncHints.None, CancellationToken.None);
        float[] expected = scratch.Backend.Logits().ToArray();
        Assert.Equal(expected.Length, restoredLogits.Length);
        Assert.All(Enumerable.Range(0, expected.Length), i => Assert.True(Math.Abs(expected[i] - restoredLogits[i]) < 1e-3, $"logit {i}: {expected[i]} vs {restoredLogits[i]}"));
    }

    [Fact]
    public async Task A_stored_session_that_spares_too_little_waits_for_a_plan_it_fits_and_blocks_idle_saves_meanwhile()
    {
        string model = TinyModels.Get(TinyArch.Llama);
        using (LoadedModel first = Load(model))
        {
            first.Session.Sync(_tokens, SyncHints.None, CancellationToken.None);
            Kept(first, model).Unloading(first, () => _documents);
        }

        using LoadedModel second = Load(model);
        SessionPersistence persistence = Kept(second, model, minChangedTokens: 1);

        // As when the editor has reopened only one file: the plan shares just a few tokens.
        int[] partial = [.. _tokens[..10], .. Enumerable.Range(0, 100).Select(i => 249 - i)];
        Assert.False(persistence.TryRestore(second, partial));
        second.Session.Sync(partial, SyncHints.None, CancellationToken.None);
        persistence.Idle(second, () => _documents, CancellationToken.None);
        await persistence.WaitForSaveAsync();
        Assert.Single(_log.Entries, e => e.Message.StartsWith("Saved the session", StringComparison.Ordinal));

        // The rest of the files are back: now the stored session pays off.
        Assert.True(persistence.TryRestore(second, _tokens));
        Assert.Equal(_tokens, second.Session.Held.ToArray());
        Assert.False(persistence.TryRestore(second, _tokens));
    }

    [Fact]
    public void A_session_that_already_holds_the_stored_tokens_gives_the_stored_one_up()
    {
        string model = TinyModels.Get(TinyArch.Llama);
        using (LoadedModel first = Load(model))
        {
            first.Session.Sync(_tokens, SyncHints.None, CancellationToken.None);
            Kept(first, model).Unloading(first, () => _documents);
        }

        using LoadedModel second = Load(model);
        second.Session.Sync(_tokens, SyncHints.None, CancellationToken.None);
        SessionPersistence persistence = Kept(second, model);

        Assert.False(persistence.TryRestore(second, _tokens));
        Assert.Contains(_log.Entries, e => e.Message.StartsWith("Not loading the stored session", StringComparison.Ordinal));
        Assert.False(persistence.TryRestore(second, [.. _tokens[..50]]));
        Assert.Single(_log.Entries, e => e.Message.StartsWith("Found a stored session", StringComparison.Ordinal));
    }

    [Fact]
    public void Idle_saves_wait_for_enough_change_and_stop_when_a_request_arrives()
    {
        string model = TinyModels.Get(TinyArch.GraniteHybrid);
        using LoadedModel loaded = Load(model);
        loaded.Session.Sync(_tokens, SyncHints.None, CancellationToken.None);
        SessionPersistence needsMore = Kept(loaded, model, minChangedTokens: _tokens.Length + 1);
        SessionPersistence cancelled = Kept(loaded, model, minChangedTokens: 1);

        needsMore.Idle(loaded, () => _documents, CancellationToken.None);
        cancelled.Idle(loaded, () => _documents, new CancellationToken(canceled: true));

        Assert.False(Directory.Exists(_folder.Path) && Directory.GetFiles(_folder.Path).Length > 0);

        // On unload any change is saved.
        needsMore.Unloading(loaded, () => _documents);
        Assert.Single(Directory.GetFiles(_folder.Path, "*" + SessionFileFormat.FileExtension));
    }

    private static LoadedModel Load(string model) =>
        LoadedModel.Load(model, s_model with { Path = model }, new CheckpointSection("lspllama", new CheckpointSettings(MaxMemoryMiB: 64, MinSpacingTokens: 16, IntervalTokens: 64)));

    private SessionPersistence Persistence(string model, int minChangedTokens = 2048) =>
        new(
            _ => new SessionPersistence.KeptIn(
                new SessionStore(new StoreOptions(_folder.Path), _log),
                new SessionKey(SessionKey.NormalizeWorkspace("/work/space"), ModelFingerprint.Compute(model), SessionPersistence.StateSettingsOf(s_model)),
                new SavePolicy(TimeSpan.Zero, minChangedTokens)),
            _log);

    /// <summary>Persistence that has seen <paramref name="loaded"/> load, as the engine calls it.</summary>
    private SessionPersistence Kept(LoadedModel loaded, string model, int minChangedTokens = 2048)
    {
        SessionPersistence persistence = Persistence(model, minChangedTokens);
        persistence.Loaded(loaded, CancellationToken.None);
        return persistence;
    }
}
