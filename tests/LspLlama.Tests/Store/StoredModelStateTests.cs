using LspLlama.Core.Session;
using LspLlama.Llama;
using LspLlama.Native;
using LspLlama.Store;
using LspLlama.Tests.Support;
using Xunit;

namespace LspLlama.Tests.Store;

/// <summary>
/// Real llama.cpp state through the store: a model session's context saved and loaded into a
/// fresh one (new weights, context and store instance, as after a restart) gives the same
/// next-token logits, from the full state and from each stored checkpoint.
/// </summary>
public sealed class StoredModelStateTests : IDisposable
{
    private const int Next = 123;
    private readonly TempFolder _folder = new();
    private readonly RecordingLogger _log = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData(TinyArch.Llama)]
    [InlineData(TinyArch.GraniteHybrid)]
    public async Task A_restored_session_gives_the_same_next_token_logits(TinyArch arch)
    {
        string model = TinyModels.Get(arch);
        int[] tokens = [.. Enumerable.Range(0, 120).Select(i => (i * 37 + 11) % 250)];
        SessionKey key = new(SessionKey.NormalizeWorkspace(_folder.Path), ModelFingerprint.Compute(model), StoreData.Settings with { ContextSize = 256 });
        float[] expected;
        int[] checkpointPositions;

        using (ModelRunner original = new(model))
        {
            LlamaSessionBackend backend = new(original.Handle);
            ModelSession session = new(backend, CheckpointPolicies.Create("lspllama", new CheckpointSettings(MaxMemoryMiB: 64, MinSpacingTokens: 4, IntervalTokens: 32)));
            session.Sync(tokens, new SyncHints([0, 60], 90, 100), CancellationToken.None);
            checkpointPositions = [.. session.Checkpoints.Select(c => c.Position)];

            // Captured on the worker, written in the background; the buffer is freed after the write.
            NativeStateBuffer state = LlamaStateTransfer.CaptureFullState(original.Handle, 0)!;
            SessionSnapshot snapshot = LlamaStateTransfer.Snapshot(session.Held, session.Checkpoints, state, copyCheckpoints: true);
            BackgroundSaver saver = new(new SessionStore(new StoreOptions(_folder.Path), _log));
            Assert.True(saver.TryStart(key, snapshot, state.Dispose));
            Assert.True(await saver.WaitAsync());

            expected = original.Decode([Next], tokens.Length);
        }

        Assert.True(arch == TinyArch.Llama || checkpointPositions.Length > 0, "a hybrid session should have checkpoints to store");

        using ModelRunner restored = new(model);
        using StoredSession stored = new SessionStore(new StoreOptions(_folder.Path), _log).TryOpen(key)!;
        Assert.Equal(tokens.Length, RestoreGain.ReusableTokens(stored.Tokens, stored.Checkpoints, [.. tokens, Next], MemoryKind.Recurrent));

        // From the full state: the context holds all stored tokens; decode only the next one.
        RestoredSession session2 = LlamaStateTransfer.Restore(stored, restored.Handle, 0)!;
        Assert.Equal(tokens, session2.Held);
        Assert.Equal(checkpointPositions, session2.Checkpoints.Select(c => c.Position));
        Assert.Equal(tokens.Length - 1, LlamaMemory.SequenceMaxPosition(restored.Handle, 0));
        AssertClose(expected, restored.Decode([Next], tokens.Length));

        // From each checkpoint, as a rollback after the restart would: restore the full state,
        // then the checkpoint, cut the attention part after it and decode the rest again.
        foreach (RestoredCheckpoint checkpoint in session2.Checkpoints)
        {
            Assert.NotNull(LlamaStateTransfer.Restore(stored, restored.Handle, 0));
            Assert.True(LlamaSequenceState.Restore(restored.Handle, checkpoint.Data, 0, StateSeqFlags.PartialOnly));
            Assert.True(LlamaMemory.SequenceRemove(restored.Handle, 0, checkpoint.Position, -1));
            restored.Decode(tokens[checkpoint.Position..], checkpoint.Position);
            AssertClose(expected, restored.Decode([Next], tokens.Length));
        }

        Assert.Empty(_log.Warnings);
    }

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        float worst = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        Assert.True(worst <= 1e-4f, $"logits differ by up to {worst}");
    }
}
