using LspLlama.Core.Session;
using Xunit;

namespace LspLlama.Core.Tests.Session;

/// <summary>The fake must catch the wrong rollbacks a real model would punish with wrong logits.</summary>
public sealed class FakeBackendTests
{
    [Fact]
    public void Recurrent_and_hybrid_memory_refuse_to_cut_a_tail_but_can_be_emptied()
    {
        foreach (MemoryKind kind in new[] { MemoryKind.Recurrent, MemoryKind.Hybrid })
        {
            var backend = new FakeBackend(kind);
            backend.Decode(ModelSessionTests.Tokens(20), 0);
            Assert.False(backend.TryRemoveTail(10));
            Assert.True(backend.TryRemoveTail(20));
            Assert.True(backend.TryRemoveTail(0));
            Assert.Equal(-1, backend.SequenceMinPosition());
        }
    }

    [Fact]
    public void A_hybrid_checkpoint_restored_without_cutting_the_attention_part_cannot_be_decoded_after()
    {
        var backend = new FakeBackend(MemoryKind.Hybrid);
        int[] tokens = ModelSessionTests.Tokens(20);
        backend.Decode(tokens[..10], 0);
        byte[] at10 = backend.PartialState();
        backend.Decode(tokens[10..], 10);

        Assert.True(backend.RestorePartialState(at10));
        Assert.Throws<InvalidOperationException>(() => backend.Decode([1], 10));
    }

    [Fact]
    public void A_checkpoint_of_another_prefix_changes_the_output()
    {
        var backend = new FakeBackend(MemoryKind.Hybrid);
        int[] tokens = ModelSessionTests.Tokens(20);
        backend.Decode(tokens[..10], 0);
        byte[] at10 = backend.PartialState();
        backend.Clear();
        int[] other = [.. tokens];
        other[3] = 99;
        backend.Decode(other, 0);

        Assert.True(backend.RestorePartialState(at10));
        Assert.True(backend.TryRemoveTail(10));
        backend.Decode(other[10..], 10);

        Assert.NotEqual(backend.Fresh(other).Output, backend.Output);
    }

    [Fact]
    public void A_sliding_window_cut_behind_the_evicted_window_changes_the_output()
    {
        var backend = new FakeBackend(MemoryKind.SlidingWindow, window: 8, microBatchSize: 4);
        int[] tokens = ModelSessionTests.Tokens(40);
        backend.Decode(tokens[..32], 0);
        backend.Decode(tokens[32..], 32);

        Assert.True(backend.TryRemoveTail(20));
        backend.Decode(tokens[20..], 20);

        Assert.NotEqual(backend.Fresh(tokens).Output, backend.Output);
    }

    [Fact]
    public void Decoding_in_any_batches_gives_the_same_output()
    {
        int[] tokens = ModelSessionTests.Tokens(50);
        foreach (MemoryKind kind in Enum.GetValues<MemoryKind>())
        {
            var backend = new FakeBackend(kind);
            backend.Decode(tokens[..7], 0);
            backend.Decode(tokens[7..31], 7);
            backend.Decode(tokens[31..], 31);
            Assert.Equal(backend.Fresh(tokens).Output, backend.Output);
        }
    }
}
