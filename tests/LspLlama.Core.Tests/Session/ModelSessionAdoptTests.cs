using LspLlama.Core.Session;
using Xunit;

namespace LspLlama.Core.Tests.Session;

/// <summary>
/// A session that adopts a memory filled elsewhere (a stored session loaded into a new context)
/// must behave as if it had decoded those tokens itself.
/// </summary>
public sealed class ModelSessionAdoptTests
{
    private static readonly CheckpointSettings s_small = new(MaxMemoryMiB: 64, MinSpacingTokens: 8, IntervalTokens: 24);

    [Theory]
    [InlineData("Attention")]
    [InlineData("Hybrid")]
    [InlineData("Recurrent")]
    [InlineData("SlidingWindow")]
    public void Adopted_memory_rolls_back_and_decodes_like_the_original(string memory)
    {
        MemoryKind kind = Enum.Parse<MemoryKind>(memory);
        (ModelSession original, FakeBackend originalBackend, int[] tokens) = Filled(kind, 200);
        var backend = new FakeBackend(kind);
        var session = new ModelSession(backend, CheckpointPolicies.Create("lspllama", s_small));
        backend.LoadFullStateOf(originalBackend);

        session.Adopt(original.Held, Copies(original.Checkpoints));

        Assert.Equal(original.Held.ToArray(), session.Held.ToArray());
        Assert.False(session.HasLogits);
        Assert.Equal(kind == MemoryKind.Attention ? [] : original.Checkpoints.Select(c => c.Position), session.Checkpoints.Select(c => c.Position));
        tokens[150] = 7;
        SyncFigures adopted = session.Sync(tokens, SyncHints.None, default);
        SyncFigures reference = original.Sync(tokens, SyncHints.None, default);

        Assert.Equal((reference.Kept, reference.Decoded), (adopted.Kept, adopted.Decoded));
        Assert.True(adopted.Kept > 100, $"kept only {adopted.Kept} tokens");
        Assert.Equal(originalBackend.Output, backend.Output);
        SessionAssert.MatchesFresh(session, backend);
        SessionAssert.CheckpointsMatchTheirTokens(session, backend);
    }

    [Fact]
    public void The_same_tokens_after_adopting_decode_at_least_one_token_for_logits()
    {
        (ModelSession original, FakeBackend originalBackend, int[] tokens) = Filled(MemoryKind.Attention, 100);
        var backend = new FakeBackend(MemoryKind.Attention);
        var session = new ModelSession(backend, new NoCheckpointPolicy());
        backend.LoadFullStateOf(originalBackend);
        session.Adopt(original.Held, []);

        SyncFigures f = session.Sync(tokens, SyncHints.None, default);

        Assert.Equal((99, 1), (f.Kept, f.Decoded));
        Assert.Equal(originalBackend.Output, backend.Output);
        Assert.True(session.HasLogits);
    }

    [Fact]
    public void Checkpoints_past_the_held_tokens_or_repeated_are_dropped_and_old_ones_freed()
    {
        (ModelSession original, FakeBackend originalBackend, _) = Filled(MemoryKind.Hybrid, 120);
        var backend = new FakeBackend(MemoryKind.Hybrid);
        var session = new ModelSession(backend, new IntervalCheckpointPolicy());
        session.Sync([1, 2, 3, .. Enumerable.Range(10, 60)], SyncHints.None, default);
        Assert.NotEmpty(session.Checkpoints);
        backend.LoadFullStateOf(originalBackend);
        byte[] state = [.. original.Checkpoints[0].Data.AsSpan(0, original.Checkpoints[0].Length)];

        session.Adopt(original.Held, [(500, state), (original.Checkpoints[0].Position, state), (original.Checkpoints[0].Position, state), (0, state)]);

        Assert.Equal([original.Checkpoints[0].Position], session.Checkpoints.Select(c => c.Position));
        Assert.Equal(session.Checkpoints[0].Bytes, session.CheckpointBytes);
        SessionAssert.CheckpointsMatchTheirTokens(session, backend);
    }

    [Fact]
    public void More_tokens_than_the_context_holds_are_refused()
    {
        var session = new ModelSession(new FakeBackend(MemoryKind.Attention, contextSize: 64), new NoCheckpointPolicy());

        Assert.Throws<ArgumentException>(() => session.Adopt(new int[65], []));
        Assert.Equal(0, session.Held.Length);
    }

    private static (ModelSession Session, FakeBackend Backend, int[] Tokens) Filled(MemoryKind kind, int count)
    {
        var backend = new FakeBackend(kind);
        var session = new ModelSession(backend, kind == MemoryKind.Attention ? new NoCheckpointPolicy() : CheckpointPolicies.Create("lspllama", s_small));
        int[] tokens = [.. Enumerable.Range(0, count).Select(i => 100 + (i * 7 % 53))];
        session.Sync(tokens, new SyncHints([0, 60, 140], 145, 170), default);
        return (session, backend, tokens);
    }

    private static List<(int Position, byte[] Data)> Copies(IReadOnlyList<Checkpoint> checkpoints) =>
        [.. checkpoints.Select(c => (c.Position, c.Data.AsSpan(0, c.Length).ToArray()))];
}
