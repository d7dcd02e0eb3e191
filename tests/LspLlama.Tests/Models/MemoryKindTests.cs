using LspLlama.Native;
using LspLlama.Tests.Support;
using Xunit;

namespace LspLlama.Tests.Models;

/// <summary>
/// Each tiny architecture has the memory kind it stands for, so no test mistakes one for another:
/// whether a tail can be cut, and whether a partial state is smaller than the full one.
/// </summary>
public sealed class MemoryKindTests
{
    private const int Decoded = 60;

    [Theory]
    //          arch                    recurrent hybrid  swa    tail cut  partial < full
    [InlineData(TinyArch.Llama,         false,    false,  false, true,     false)]
    [InlineData(TinyArch.Mamba2,        true,     false,  false, false,    false)]
    [InlineData(TinyArch.GraniteHybrid, false,    true,   false, false,    true)]
    [InlineData(TinyArch.Lfm2,          false,    true,   false, false,    true)]
    [InlineData(TinyArch.Qwen35,        false,    true,   false, false,    true)]
    [InlineData(TinyArch.Gemma2,        false,    false,  true,  true,     true)]
    public void Memory_kind_matches_the_architecture(
        TinyArch arch, bool recurrent, bool hybrid, bool slidingWindow, bool tailCut, bool partialSmaller)
    {
        using var runner = new ModelRunner(TinyModels.Get(arch));
        runner.Decode(Samples.Tokens(Decoded), 0);

        Assert.Equal(recurrent, LlamaModelFacts.IsRecurrent(runner.Model));
        Assert.Equal(hybrid, LlamaModelFacts.IsHybrid(runner.Model));
        Assert.Equal(slidingWindow, LlamaModelFacts.SlidingWindow(runner.Model) > 0);
        Assert.Equal(Decoded - 1, LlamaMemory.SequenceMaxPosition(runner.Handle, 0));

        // Recurrent state exists only at the last position; a KV cache holds them all.
        int expectedMin = recurrent || hybrid ? Decoded - 1 : 0;
        Assert.Equal(expectedMin, LlamaMemory.SequenceMinPosition(runner.Handle, 0));

        long full = LlamaSequenceState.GetSize(runner.Handle, 0, StateSeqFlags.None);
        long partial = LlamaSequenceState.GetSize(runner.Handle, 0, StateSeqFlags.PartialOnly);
        Assert.True(partial > 0);
        Assert.Equal(partialSmaller, partial < full);
        if (!partialSmaller)
        {
            Assert.Equal(full, partial);
        }

        // Cutting the last token: possible for KV caches only. A refused cut leaves memory unchanged.
        Assert.Equal(tailCut, LlamaMemory.SequenceRemove(runner.Handle, 0, Decoded - 1, -1));
        Assert.Equal(tailCut ? Decoded - 2 : Decoded - 1, LlamaMemory.SequenceMaxPosition(runner.Handle, 0));
        Assert.Equal(tailCut, LlamaMemory.SequenceRemove(runner.Handle, 0, 40, -1));
        Assert.Equal(tailCut ? 39 : Decoded - 1, LlamaMemory.SequenceMaxPosition(runner.Handle, 0));

        // Removing the whole sequence never fails.
        Assert.True(LlamaMemory.SequenceRemove(runner.Handle, 0, -1, -1));
        Assert.Equal(-1, LlamaMemory.SequenceMaxPosition(runner.Handle, 0));
    }

    [Fact]
    public void Sliding_window_drops_old_positions_and_keeps_the_partial_state_bounded()
    {
        using var runner = new ModelRunner(TinyModels.Get(TinyArch.Gemma2), contextSize: 512);
        int window = LlamaModelFacts.SlidingWindow(runner.Model);
        Assert.Equal(32, window);

        runner.Decode(Samples.Tokens(64), 0);
        long partialAt64 = LlamaSequenceState.GetSize(runner.Handle, 0, StateSeqFlags.PartialOnly);
        long fullAt64 = LlamaSequenceState.GetSize(runner.Handle, 0, StateSeqFlags.None);
        runner.Decode(Samples.Tokens(320)[64..], 64);

        // The SWA cache no longer holds the start of the sequence, so the memory's minimum moved on,
        // while the full-attention layers keep growing and the SWA part does not.
        Assert.True(LlamaMemory.SequenceMinPosition(runner.Handle, 0) > 0, $"min {LlamaMemory.SequenceMinPosition(runner.Handle, 0)} full {fullAt64}->{LlamaSequenceState.GetSize(runner.Handle, 0, StateSeqFlags.None)} partial {partialAt64}->{LlamaSequenceState.GetSize(runner.Handle, 0, StateSeqFlags.PartialOnly)}");
        Assert.True(LlamaSequenceState.GetSize(runner.Handle, 0, StateSeqFlags.None) > fullAt64);
        Assert.Equal(partialAt64, LlamaSequenceState.GetSize(runner.Handle, 0, StateSeqFlags.PartialOnly));
    }

    [Fact]
    public void Qwen35_with_rollback_snapshots_can_cut_a_short_tail()
    {
        using var runner = new ModelRunner(TinyModels.Get(TinyArch.Qwen35), recurrentRollback: 4);
        Assert.Equal(4u, runner.Handle.RecurrentRollbackSnapshots);
        runner.Decode(Samples.Tokens(Decoded), 0);

        Assert.False(LlamaMemory.SequenceRemove(runner.Handle, 0, Decoded - 5, -1));
        Assert.True(LlamaMemory.SequenceRemove(runner.Handle, 0, Decoded - 4, -1));
        Assert.Equal(Decoded - 5, LlamaMemory.SequenceMaxPosition(runner.Handle, 0));
    }
}
