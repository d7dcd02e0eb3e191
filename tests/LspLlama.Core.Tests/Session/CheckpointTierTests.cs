using LspLlama.Core.Session;
using Xunit;

namespace LspLlama.Core.Tests.Session;

/// <summary>
/// The checkpoints' second tier and the bytes a sync reports: what the budget evicts goes to the
/// tier, a rollback reads it back only when that beats re-decoding, damage costs only a re-decode,
/// and a spilled checkpoint never outlives its tokens.
/// </summary>
public sealed class CheckpointTierTests
{
    // 4 KiB states (the fake's recurrent size) and a 16 KiB budget: four fit, the fifth evicts.
    private const int StateBytes = 4096;

    [Fact]
    public void Evictions_go_to_the_tier_and_the_budget_is_never_exceeded()
    {
        var (session, backend, spill) = Hybrid(budgetKiB: 16);
        int[] tokens = Tokens(400);
        SyncFigures f = session.Sync(tokens, SyncHints.None, default);

        Assert.True(f.Traffic.Evictions > 0, "the interval fill needs more than four checkpoints");
        Assert.Equal(f.Traffic.Evictions, f.Traffic.Spilled);
        Assert.Equal(f.Traffic.Spilled, spill.Positions.Count);
        Assert.True(session.PeakCheckpointBytes <= 16 * 1024, $"peak {session.PeakCheckpointBytes} over the budget");
        Assert.Equal(f.CheckpointsSaved * (long)StateBytes, f.Traffic.BytesSaved);
        SessionAssert.CheckpointsMatchTheirTokens(session, backend);
    }

    [Fact]
    public void Checkpoints_being_written_count_against_the_budget_and_one_is_in_flight_at_a_time()
    {
        var (session, backend, spill) = Hybrid(budgetKiB: 16);
        spill.HoldWrites = true;
        int[] tokens = Tokens(400);
        SyncFigures f = session.Sync(tokens, SyncHints.None, default);

        // The writer never finishes: the first spill's buffer stays in flight, so later evictions
        // drop their checkpoints instead of spilling them, and the memory plus what is in flight
        // stays within the budget.
        Assert.Equal(1, f.Traffic.Spilled);
        Assert.True(f.Traffic.Evictions > 1);
        Assert.True(session.CheckpointBytes + StateBytes <= 16 * 1024, $"{session.CheckpointBytes} in memory and {StateBytes} in flight exceed the budget");
        Assert.True(session.PeakCheckpointBytes <= 16 * 1024, $"peak {session.PeakCheckpointBytes} over the budget");
        Assert.True(spill.Waits > 0, "a save that needed the room waited for the write");

        // Once the write ends, its buffer comes back and the next spill may go.
        spill.HoldWrites = false;
        tokens[^1] = 999;
        session.Sync([.. tokens, .. Tokens(200)], SyncHints.None, default);
        Assert.True(spill.Positions.Count > 1);
        SessionAssert.CheckpointsMatchTheirTokens(session, backend);
    }

    [Fact]
    public void A_rollback_reads_the_tier_when_reading_is_cheaper_than_re_decoding()
    {
        var (session, backend, spill, tokens, spilled, inMemoryBefore) = SpilledPastMemory();

        spill.SecondsPerRead = 0;
        tokens[spilled + 1] = 999;
        SyncFigures f = session.Sync(tokens, SyncHints.None, default);

        Assert.Equal((spilled, 1, spilled - inMemoryBefore), (f.RestoredFrom, f.Traffic.DiskRestores, f.Traffic.DiskTokensSpared));
        Assert.Equal((long)StateBytes, f.Traffic.BytesRestored);
        SessionAssert.MatchesFresh(session, backend);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(3600.0)]
    public void What_a_rollback_keeps_is_known_before_the_sync_with_the_tier_counted(double secondsPerRead)
    {
        // A bounded request (completion.maxSyncTokens) decides from KeptAt whether the exact plan
        // fits; it must count the disk tier as the rollback does, or an edit that a spilled
        // checkpoint makes cheap looks past the bound.
        var (session, backend, spill, tokens, spilled, inMemoryBefore) = SpilledPastMemory();

        spill.SecondsPerRead = secondsPerRead;
        tokens[spilled + 1] = 999;
        int kept = session.KeptFor(tokens);
        Assert.Equal(secondsPerRead == 0 ? spilled : inMemoryBefore, kept);

        SyncFigures f = session.Sync(tokens, SyncHints.None, default);
        Assert.Equal(kept == 0 ? -1 : kept, f.RestoredFrom); // -1: nothing before it, the memory starts empty
        Assert.Equal(tokens.Length - kept, f.Decoded);
        SessionAssert.MatchesFresh(session, backend);
    }

    [Fact]
    public void A_slow_tier_is_not_read_and_the_memory_checkpoint_serves()
    {
        var (session, backend, spill) = Hybrid(budgetKiB: 16);
        int[] tokens = Tokens(400);
        session.Sync(tokens, SyncHints.None, default);
        int spilled = spill.Positions.Max();

        spill.SecondsPerRead = 3600;
        tokens[spilled + 1] = 999;
        SyncFigures f = session.Sync(tokens, SyncHints.None, default);

        Assert.Equal(0, spill.Reads);
        Assert.Equal(0, f.Traffic.DiskRestores);
        Assert.True(f.RestoredFrom < spilled);
        SessionAssert.MatchesFresh(session, backend);
    }

    [Fact]
    public void A_damaged_spilled_checkpoint_costs_only_a_re_decode()
    {
        var (session, backend, spill) = Hybrid(budgetKiB: 16);
        int[] tokens = Tokens(400);
        session.Sync(tokens, SyncHints.None, default);
        int spilled = spill.Positions.Max();

        spill.DamageReads = true;
        tokens[spilled + 1] = 999;
        SyncFigures f = session.Sync(tokens, SyncHints.None, default);

        Assert.Equal(1, spill.Reads);
        Assert.Equal(0, f.Traffic.DiskRestores);
        Assert.True(f.RestoredFrom < spilled);
        Assert.True(spill.Drops > 0, "the damaged checkpoint is dropped");
        SessionAssert.MatchesFresh(session, backend);
        SpilledMatchTheirTokens(session, backend, spill);
    }

    [Fact]
    public void A_sync_told_what_the_rollback_keeps_stops_after_it_when_the_read_fails()
    {
        // A bounded request counts on the spilled checkpoint; when it fails to read back, the sync
        // must not decode from the older one (past the bound) but stop, for the request to choose again.
        var (session, backend, spill, tokens, spilled, inMemoryBefore) = SpilledPastMemory();
        spill.SecondsPerRead = 0;
        spill.DamageReads = true;
        tokens[spilled + 1] = 999;
        int counted = session.KeptFor(tokens);
        Assert.Equal(spilled, counted);

        SyncFigures f = session.Sync(tokens, SyncHints.None, default, stopIfKeptLess: true);
        Assert.Equal((0, inMemoryBefore, inMemoryBefore), (f.Decoded, f.Kept, session.Held.Length));

        // The damaged checkpoint is gone, so what the session counts now is what a rollback keeps.
        int now = session.KeptFor(tokens);
        Assert.Equal(inMemoryBefore, now);
        session.Sync(tokens, SyncHints.None, default, stopIfKeptLess: true);
        Assert.Equal(tokens.Length, session.Held.Length);
        SessionAssert.MatchesFresh(session, backend);
    }

    [Fact]
    public void Spilled_checkpoints_are_dropped_with_their_tokens()
    {
        var (session, backend, spill) = Hybrid(budgetKiB: 16);
        int[] tokens = Tokens(400);
        session.Sync(tokens, SyncHints.None, default);
        int before = session.SpilledCheckpoints.Count;
        Assert.True(before > 0);

        // An edit before every checkpoint: all of them go, the re-decode spills new ones.
        tokens[5] = 999;
        session.Sync(tokens, SyncHints.None, default);

        Assert.True(spill.Drops >= before, $"{spill.Drops} of {before} spilled checkpoints dropped");
        SpilledMatchTheirTokens(session, backend, spill);
        session.Dispose();
        Assert.Empty(spill.Positions);
    }

    [Fact]
    public void A_checkpoint_nearer_its_neighbour_than_the_spacing_is_dropped_not_spilled()
    {
        var backend = new FakeBackend(MemoryKind.Hybrid, contextSize: 1024, batchSize: 32, recurrentBytes: StateBytes);
        var spill = new MemorySpill();
        var policy = new BudgetedPolicy(new HintedCheckpointPolicy(new CheckpointSettings(MinSpacingTokens: 8, IntervalTokens: 32)), 16 * 1024, minSpillSpacing: 1000);
        using var session = new ModelSession(backend, policy, spill);
        SyncFigures f = session.Sync(Tokens(400), SyncHints.None, default);

        Assert.True(f.Traffic.Evictions > 0);
        Assert.Equal(0, f.Traffic.Spilled);
        Assert.Empty(spill.Positions);
    }

    [Fact]
    public void Keystroke_saves_are_skipped_while_an_earlier_checkpoint_is_closer_than_a_save_costs()
    {
        var policy = new HintedCheckpointPolicy(new CheckpointSettings(MinSpacingTokens: 8, IntervalTokens: 1000));
        byte[] data = new byte[16];
        var hints = new SyncHints([0], CursorLineStart: 480, PrefixEnd: 500, SuffixStart: 400);
        Checkpoint[] kept = [new(480, data, 16, 0), new(495, data, 16, 1)];

        List<int> cheap = [];
        policy.PlanSaves(new SavePlan(495, 500, 512, 512, hints, SaveCostTokens: 0), kept, cheap);
        List<int> costly = [];
        policy.PlanSaves(new SavePlan(495, 500, 512, 512, hints, SaveCostTokens: 8), kept, costly);
        List<int> farther = [];
        policy.PlanSaves(new SavePlan(495, 520, 512, 512, hints with { PrefixEnd = 520 }, SaveCostTokens: 8), kept, farther);

        Assert.Equal([499], cheap);
        Assert.Empty(costly);
        Assert.Equal([519], farther);
    }

    /// <summary>A synced session whose newest spilled checkpoint lies past memory's newest before it.</summary>
    private static (ModelSession Session, FakeBackend Backend, MemorySpill Spill, int[] Tokens, int Spilled, int InMemoryBefore) SpilledPastMemory()
    {
        var (session, backend, spill) = Hybrid(budgetKiB: 16);
        int[] tokens = Tokens(400);
        session.Sync(tokens, SyncHints.None, default);
        int spilled = spill.Positions.Max();
        int inMemoryBefore = session.Checkpoints.Where(c => c.Position <= spilled).Select(c => c.Position).DefaultIfEmpty(0).Max();
        Assert.True(spilled > inMemoryBefore, "the newest spilled checkpoint lies past the memory's before it");
        return (session, backend, spill, tokens, spilled, inMemoryBefore);
    }

    private static (ModelSession Session, FakeBackend Backend, MemorySpill Spill) Hybrid(int budgetKiB)
    {
        var backend = new FakeBackend(MemoryKind.Hybrid, contextSize: 1024, batchSize: 32, recurrentBytes: StateBytes);
        var spill = new MemorySpill();
        var settings = new CheckpointSettings(MaxMemoryMiB: 1, MinSpacingTokens: 8, IntervalTokens: 32) { };
        var policy = new BudgetedPolicy(new HintedCheckpointPolicy(settings), budgetKiB * 1024L);
        return (new ModelSession(backend, policy, spill), backend, spill);
    }

    /// <summary>Every spilled checkpoint lies within the held tokens and equals a fresh context's state there.</summary>
    private static void SpilledMatchTheirTokens(ModelSession session, FakeBackend backend, MemorySpill spill)
    {
        Assert.Equal(session.SpilledCheckpoints.Count, spill.Positions.Count);
        foreach (SpilledCheckpoint c in session.SpilledCheckpoints)
        {
            Assert.True(c.Position <= session.Held.Length, $"spilled checkpoint at {c.Position} outlives the held {session.Held.Length} tokens");
            byte[] expected = backend.Fresh(session.Held[..c.Position]).PartialState();
            Assert.True(backend.EquivalentPartialStates(expected, spill.Data(c), c.Position), $"spilled checkpoint at {c.Position} does not match its tokens");
        }
    }

    private static int[] Tokens(int n) => [.. Enumerable.Range(0, n).Select(i => (i * 7 % 50) + 1)];

    /// <summary>Our policy under a budget smaller than a MiB (the setting's unit), so a few fake states fill it.</summary>
    private sealed class BudgetedPolicy(ICheckpointPolicy inner, long budget, int minSpillSpacing = 1) : ICheckpointPolicy
    {
        public string Name => inner.Name;

        public int MinSpillSpacing => minSpillSpacing;

        public long MemoryBudgetBytes => budget;

        public void PlanSaves(in SavePlan plan, IReadOnlyList<Checkpoint> kept, List<int> positions) => inner.PlanSaves(plan, kept, positions);

        public Admission Admit(in SavePlan plan, IReadOnlyList<Checkpoint> kept, int position, long bytes)
        {
            long total = bytes + kept.Sum(c => c.Bytes);
            if (total <= budget)
            {
                return Admission.Save;
            }

            // The oldest position goes first, as any eviction would for this test's purpose.
            return kept.Count == 0 ? Admission.Skip : Admission.Evict(0);
        }
    }
}
