using LspLlama.Tests.Models;
using System.Runtime.InteropServices;
using LspLlama.Native;
using LspLlama.Store;
using LspLlama.Tests.Support;
using Xunit;

namespace LspLlama.Tests.Store;

/// <summary>
/// Real llama.cpp state through the store: a session saved from one context and loaded into a
/// fresh one (new weights, new context, new store instance, as after a restart) must give the
/// same next-token logits, from the full state and from a stored checkpoint.
/// </summary>
public sealed unsafe class StoredModelStateTests : IDisposable
{
    private const int Held = 60;
    private const int CheckpointAt = 40;
    private const int Next = 123;

    private static readonly int[] s_tokens = [.. Enumerable.Range(0, Held).Select(i => (i * 37 + 11) % 250)];

    private readonly TempFolder _folder = new();
    private readonly RecordingLogger _log = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData(TinyArch.Llama)]
    [InlineData(TinyArch.GraniteHybrid)]
    public void A_restored_session_gives_the_same_next_token_logits(TinyArch arch)
    {
        string model = TinyModels.Get(arch);
        SessionKey key = new(SessionKey.NormalizeWorkspace(_folder.Path), ModelFingerprint.Compute(model), StoreData.Settings with { ContextSize = 256 });
        float[] expected;

        using (ModelRunner original = new(model))
        {
            original.Decode(s_tokens[..CheckpointAt], 0);
            byte[] checkpoint = LlamaSequenceState.Save(original.Handle, 0, StateSeqFlags.PartialOnly);
            int posMin = LlamaMemory.SequenceMinPosition(original.Handle, 0);
            int posMax = LlamaMemory.SequenceMaxPosition(original.Handle, 0);
            original.Decode(s_tokens[CheckpointAt..], CheckpointAt);
            SaveFullState(original, key, new CheckpointSource(CheckpointAt, posMin, posMax, BlobSource.FromBytes(checkpoint)));
            expected = original.Decode([Next], Held);
        }

        using ModelRunner restored = new(model);
        using StoredSession stored = new SessionStore(new StoreOptions(_folder.Path), _log).TryOpen(key)!;
        Assert.Equal(s_tokens, stored.Tokens);

        // From the full state: the context holds all stored tokens; decode only the next one.
        LoadFullState(restored, stored);
        Assert.Equal(Held - 1, LlamaMemory.SequenceMaxPosition(restored.Handle, 0));
        AssertClose(expected, restored.Decode([Next], Held));

        // From the checkpoint, as a rollback after the restart would: restore it, cut the
        // attention part after it, decode the rest again.
        LoadFullState(restored, stored);
        StoredCheckpoint info = Assert.Single(stored.Checkpoints);
        Assert.Equal(CheckpointAt, info.Position);
        byte[] checkpointBytes = stored.ReadCheckpointBytes(0)!;
        Assert.True(LlamaSequenceState.Restore(restored.Handle, checkpointBytes, 0, StateSeqFlags.PartialOnly));
        Assert.True(LlamaMemory.SequenceRemove(restored.Handle, 0, CheckpointAt, -1));
        restored.Decode(s_tokens[CheckpointAt..], CheckpointAt);
        AssertClose(expected, restored.Decode([Next], Held));

        Assert.Empty(_log.Warnings);
    }

    private void SaveFullState(ModelRunner runner, SessionKey key, CheckpointSource checkpoint)
    {
        // As the adapter will: the state goes from native memory straight to the file.
        long size = LlamaSequenceState.GetSize(runner.Handle, 0, StateSeqFlags.None);
        nint buffer = (nint)NativeMemory.Alloc((nuint)size);
        try
        {
            nuint written = LlamaApi.StateSeqGetDataExt(runner.Handle.DangerousGetHandle(), (byte*)buffer, (nuint)size, 0, (uint)StateSeqFlags.None);
            Assert.Equal((nuint)size, written);
            SessionSnapshot snapshot = new(s_tokens, NativeBlobs.FromPointer(buffer, size), [checkpoint]);
            Assert.True(new SessionStore(new StoreOptions(_folder.Path), _log).Save(key, snapshot));
        }
        finally
        {
            NativeMemory.Free((void*)buffer);
        }
    }

    private static void LoadFullState(ModelRunner runner, StoredSession stored)
    {
        nint buffer = (nint)NativeMemory.Alloc((nuint)stored.StateLength);
        try
        {
            Assert.True(stored.TryReadState(s => NativeBlobs.ReadInto(s, buffer, stored.StateLength)));
            nuint read = LlamaApi.StateSeqSetDataExt(runner.Handle.DangerousGetHandle(), (byte*)buffer, (nuint)stored.StateLength, 0, (uint)StateSeqFlags.None);
            Assert.NotEqual(0u, read);
        }
        finally
        {
            NativeMemory.Free((void*)buffer);
        }
    }

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        float worst = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        Assert.True(worst <= 1e-4f, $"logits differ by up to {worst}");
    }
}
