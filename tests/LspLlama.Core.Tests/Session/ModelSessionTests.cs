using LspLlama.Core.Session;
using Xunit;

namespace LspLlama.Core.Tests.Session;

public sealed class ModelSessionTests
{
    private static readonly CheckpointSettings s_small = new(MaxMemoryMiB: 64, MinSpacingTokens: 8, IntervalTokens: 24);

    [Fact]
    public void Attention_cuts_at_the_first_changed_token_and_keeps_no_checkpoints()
    {
        var backend = new FakeBackend(MemoryKind.Attention);
        var session = new ModelSession(backend, CheckpointPolicies.Create("lspllama", s_small));
        int[] tokens = Tokens(100);
        session.Sync(tokens, SyncHints.None, default);

        tokens[60] = 99;
        SyncFigures f = session.Sync(tokens, new SyncHints([0, 50], 55, 70), default);

        Assert.Equal((60, 40, 40, -1), (f.Kept, f.Decoded, f.Ideal, f.RestoredFrom));
        Assert.Empty(session.Checkpoints);
        SessionAssert.MatchesFresh(session, backend);
    }

    [Fact]
    public void Hybrid_edit_restores_the_newest_checkpoint_before_it_and_splits_batches_at_checkpoints()
    {
        var backend = new FakeBackend(MemoryKind.Hybrid, batchSize: 32);
        var session = new ModelSession(backend, new IntervalCheckpointPolicy());
        int[] tokens = Tokens(120);
        session.Sync(tokens, SyncHints.None, default);
        Assert.Equal([32, 64, 96], session.Checkpoints.Select(c => c.Position));

        tokens[70] = 99;
        backend.Decodes.Clear();
        SyncFigures f = session.Sync(tokens, SyncHints.None, default);

        Assert.Equal((64, 64, 56, 50, false), (f.Kept, f.RestoredFrom, f.Decoded, f.Ideal, f.FullReprocess));
        Assert.Equal([(64, 32), (96, 24)], backend.Decodes);
        Assert.Equal([32, 64, 96], session.Checkpoints.Select(c => c.Position));
        SessionAssert.MatchesFresh(session, backend);
        SessionAssert.CheckpointsMatchTheirTokens(session, backend);
    }

    [Fact]
    public void Recurrent_without_checkpoints_decodes_everything_again()
    {
        var backend = new FakeBackend(MemoryKind.Recurrent);
        var session = new ModelSession(backend, new NoCheckpointPolicy());
        int[] tokens = Tokens(80);
        session.Sync(tokens, SyncHints.None, default);

        tokens[79] = 99;
        SyncFigures f = session.Sync(tokens, SyncHints.None, default);

        Assert.Equal((0, 80, 1, true), (f.Kept, f.Decoded, f.Ideal, f.FullReprocess));
        SessionAssert.MatchesFresh(session, backend);
    }

    [Theory]
    [InlineData(1, 32)]
    [InlineData(2, 0)]
    public void A_rejected_restore_falls_back_to_an_older_checkpoint_then_to_the_start(int failures, int expectedKept)
    {
        var backend = new FakeBackend(MemoryKind.Hybrid, batchSize: 32);
        var session = new ModelSession(backend, new IntervalCheckpointPolicy());
        int[] tokens = Tokens(120);
        session.Sync(tokens, SyncHints.None, default);

        tokens[70] = 99;
        backend.FailRestores = failures;
        SyncFigures f = session.Sync(tokens, SyncHints.None, default);

        Assert.Equal(expectedKept, f.Kept);
        Assert.Equal(120 - expectedKept, f.Decoded);
        SessionAssert.MatchesFresh(session, backend);
        SessionAssert.CheckpointsMatchTheirTokens(session, backend);
    }

    [Fact]
    public void A_failed_tail_cut_after_a_restore_falls_back_to_the_next_checkpoint()
    {
        var backend = new FakeBackend(MemoryKind.Hybrid, batchSize: 32);
        var session = new ModelSession(backend, new IntervalCheckpointPolicy());
        int[] tokens = Tokens(120);
        session.Sync(tokens, SyncHints.None, default);

        tokens[70] = 99;

        // The first cut is the direct attempt (refused by the recurrent part anyway), the second
        // follows the restore of the checkpoint at 64.
        backend.FailTailCuts = 2;
        SyncFigures f = session.Sync(tokens, SyncHints.None, default);

        Assert.Equal((32, 32), (f.Kept, f.RestoredFrom));
        SessionAssert.MatchesFresh(session, backend);
    }

    [Fact]
    public void A_failed_cut_on_attention_memory_starts_over_instead_of_crashing()
    {
        var backend = new FakeBackend(MemoryKind.Attention);
        var session = new ModelSession(backend, new NoCheckpointPolicy());
        int[] tokens = Tokens(50);
        session.Sync(tokens, SyncHints.None, default);

        tokens[40] = 99;
        backend.FailTailCuts = 1;
        SyncFigures f = session.Sync(tokens, SyncHints.None, default);

        Assert.Equal((0, 50, true), (f.Kept, f.Decoded, f.FullReprocess));
        SessionAssert.MatchesFresh(session, backend);
    }

    [Fact]
    public void Syncing_what_is_already_held_decodes_nothing()
    {
        var backend = new FakeBackend(MemoryKind.Recurrent);
        var session = new ModelSession(backend, new NoCheckpointPolicy());
        int[] tokens = Tokens(40);
        session.Sync(tokens, SyncHints.None, default);

        SyncFigures f = session.Sync(tokens, SyncHints.None, default);

        Assert.Equal((40, 0, 0), (f.Kept, f.Decoded, f.Ideal));
        Assert.True(session.HasLogits);
    }

    [Fact]
    public void The_same_prompt_after_generation_rolls_back_to_the_checkpoint_before_its_last_token()
    {
        var backend = new FakeBackend(MemoryKind.Hybrid);
        var session = new ModelSession(backend, CheckpointPolicies.Create("lspllama", s_small));
        int[] prompt = Tokens(100);
        var hints = new SyncHints([0, 40], 80, 90);
        session.Sync(prompt, hints, default);
        session.AppendGenerated(7);
        session.AppendGenerated(8);
        Assert.Equal(102, session.Held.Length);

        SyncFigures f = session.Sync(prompt, hints, default);

        // Nothing changed, but the logits are the completion's: even the ideal decodes one token.
        Assert.Equal((100, 99, 1, 1), (f.CommonPrefix, f.Kept, f.Decoded, f.Ideal));
        SessionAssert.MatchesFresh(session, backend);
    }

    [Fact]
    public void Generated_tokens_belong_to_the_held_sequence()
    {
        var backend = new FakeBackend(MemoryKind.Attention);
        var session = new ModelSession(backend, new NoCheckpointPolicy());
        int[] prompt = Tokens(30);
        session.Sync(prompt, SyncHints.None, default);
        session.AppendGenerated(5);
        session.AppendGenerated(6);

        int[] next = [.. prompt, 5, 6, 9];
        SyncFigures f = session.Sync(next, SyncHints.None, default);

        Assert.Equal((32, 1, 1), (f.Kept, f.Decoded, f.Ideal));
        SessionAssert.MatchesFresh(session, backend);
    }

    [Fact]
    public void A_cancelled_sync_keeps_what_it_decoded_and_the_next_sync_continues_from_there()
    {
        var backend = new FakeBackend(MemoryKind.Hybrid, batchSize: 32);
        var session = new ModelSession(backend, CheckpointPolicies.Create("lspllama", s_small));
        using var cts = new CancellationTokenSource();
        backend.AfterDecode = held =>
        {
            if (held >= 64)
            {
                cts.Cancel();
            }
        };
        int[] tokens = Tokens(200);

        Assert.Throws<OperationCanceledException>(() => session.Sync(tokens, SyncHints.None, cts.Token));

        Assert.True(session.LastFigures.Cancelled);
        Assert.Equal(tokens[..session.Held.Length], session.Held.ToArray());
        Assert.Equal(session.Held.Length, session.LastFigures.Decoded);
        Assert.InRange(session.Held.Length, 64, 199);
        SessionAssert.MatchesFresh(session, backend);
        SessionAssert.CheckpointsMatchTheirTokens(session, backend);

        backend.AfterDecode = null;
        int held = session.Held.Length;
        SyncFigures f = session.Sync(tokens, SyncHints.None, default);
        Assert.Equal((held, 200 - held), (f.Kept, f.Decoded));
        SessionAssert.MatchesFresh(session, backend);
    }

    [Fact]
    public void Sliding_window_cuts_inside_the_cached_window_and_restores_a_checkpoint_beyond_it()
    {
        var backend = new FakeBackend(MemoryKind.SlidingWindow, batchSize: 32, microBatchSize: 16, window: 12);
        var session = new ModelSession(backend, CheckpointPolicies.Create("lspllama", s_small));
        int[] tokens = Tokens(100);
        session.Sync(tokens, SyncHints.None, default);

        tokens[90] = 99;
        SyncFigures near = session.Sync(tokens, SyncHints.None, default);
        Assert.Equal((90, -1), (near.Kept, near.RestoredFrom));
        SessionAssert.MatchesFresh(session, backend);

        tokens[40] = 99;
        SyncFigures far = session.Sync(tokens, SyncHints.None, default);
        Assert.Equal(far.RestoredFrom, far.Kept);
        Assert.InRange(far.Kept, 40 - s_small.IntervalTokens, 40);
        SessionAssert.MatchesFresh(session, backend);
        SessionAssert.CheckpointsMatchTheirTokens(session, backend);
    }

    [Fact]
    public void Bad_input_gets_a_clear_error_and_changes_nothing()
    {
        var backend = new FakeBackend(MemoryKind.Hybrid, contextSize: 64);
        var session = new ModelSession(backend, new NoCheckpointPolicy());
        session.Sync(Tokens(10), SyncHints.None, default);

        Assert.Throws<ArgumentException>(() => session.Sync([], SyncHints.None, default));
        Assert.Throws<ArgumentException>(() => session.Sync(Tokens(65), SyncHints.None, default));
        Assert.Equal(Tokens(10), session.Held.ToArray());
    }

    internal static int[] Tokens(int count, int seed = 1)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => random.Next(0, 50))];
    }
}
