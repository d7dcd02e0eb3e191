using LspLlama.Native;
using LspLlama.Tests.Support;
using Xunit;

namespace LspLlama.Tests.Models;

/// <summary>
/// The rollback every non-attention model depends on: save a partial state at a position, decode
/// further, restore it, cut the attention tail, decode again — and get exactly the logits of an
/// uninterrupted decode.
/// </summary>
public sealed class CheckpointRoundTripTests
{
    private const int Checkpoint = 40;
    private const int End = 60;
    private const int Further = 100;

    [Theory]
    [InlineData(TinyArch.Llama)]
    [InlineData(TinyArch.Mamba2)]
    [InlineData(TinyArch.GraniteHybrid)]
    [InlineData(TinyArch.Lfm2)]
    [InlineData(TinyArch.Qwen35)]
    [InlineData(TinyArch.Gemma2)]
    public void Restoring_a_partial_checkpoint_reproduces_the_logits(TinyArch arch)
    {
        int[] tokens = Samples.Tokens(Further);
        using var runner = new ModelRunner(TinyModels.Get(arch));

        runner.Decode(tokens[..Checkpoint], 0);
        byte[] checkpoint = LlamaSequenceState.Save(runner.Handle, 0, StateSeqFlags.PartialOnly);
        float[] expected = runner.Decode(tokens[Checkpoint..End], Checkpoint);

        // Move the memory well past the checkpoint (and, for SWA, past the window).
        runner.Decode(tokens[End..Further], End);

        Assert.True(LlamaSequenceState.Restore(runner.Handle, checkpoint, 0, StateSeqFlags.PartialOnly));
        Assert.True(LlamaMemory.SequenceRemove(runner.Handle, 0, Checkpoint, -1), "the attention tail must be cuttable after a restore");
        Assert.Equal(Checkpoint - 1, LlamaMemory.SequenceMaxPosition(runner.Handle, 0));

        float[] actual = runner.Decode(tokens[Checkpoint..End], Checkpoint);
        Assert.Equal(expected, actual);
    }
}
