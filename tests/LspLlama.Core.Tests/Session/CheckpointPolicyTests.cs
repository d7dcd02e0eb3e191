using LspLlama.Core.Session;
using Xunit;

namespace LspLlama.Core.Tests.Session;

public sealed class CheckpointPolicyTests
{
    private static readonly byte[] s_data = new byte[100];

    [Fact]
    public void End_only_saves_where_n_ubatch_plus_4_and_4_tokens_remain()
    {
        var plan = new SavePlan(0, 32_000, 2048, 512, SyncHints.None);
        var positions = new List<int>();
        new EndOnlyCheckpointPolicy().PlanSaves(plan, [], positions);
        Assert.Equal([32_000 - 4 - 512, 32_000 - 4], positions);
    }

    [Fact]
    public void End_only_skips_within_the_min_step_except_near_the_end_and_evicts_first_in_first_out()
    {
        var policy = new EndOnlyCheckpointPolicy();
        var plan = new SavePlan(0, 32_000, 2048, 512, SyncHints.None);
        Assert.Equal(Admission.Save, policy.Admit(plan, [], 31_484, 100));
        Checkpoint[] kept = [new(30_000, s_data, 100, 0)];
        Assert.Equal(Admission.Skip, policy.Admit(plan, kept, 31_484, 100));
        Assert.Equal(Admission.Save, policy.Admit(plan, kept, 31_996, 100));

        Checkpoint[] full = [.. Enumerable.Range(0, 32).Select(i => new Checkpoint(i * 10, s_data, 100, 100 - i))];
        Assert.Equal(Admission.Evict(31), policy.Admit(plan, full, 31_996, 100));
    }

    [Fact]
    public void Interval_saves_every_batch_past_the_start()
    {
        var positions = new List<int>();
        new IntervalCheckpointPolicy().PlanSaves(new SavePlan(100, 300, 64, 32, SyncHints.None), [], positions);
        Assert.Equal([128, 192, 256], positions);
    }

    [Fact]
    public void Ours_saves_at_the_hints_and_fills_the_gaps_never_closer_than_the_min_spacing()
    {
        var policy = new HintedCheckpointPolicy(new CheckpointSettings(MaxMemoryMiB: 1, MinSpacingTokens: 20, IntervalTokens: 100));
        var hints = new SyncHints([0, 150, 290], CursorLineStart: 330, PrefixEnd: 345);
        var positions = new List<int>();
        policy.PlanSaves(new SavePlan(10, 400, 64, 32, hints), [new Checkpoint(10, s_data, 100, 0)], positions);

        // The prefix end (345) is kept next to the cursor line start (330): typing lands there.
        // The ladder behind the cursor line stays inside the active segment (from 290): 310 is a
        // step of 20 back; 40 back (290) is the segment start, and 80 back is outside the segment.
        // The end (399) and the fill at 100 and 200 stay; 300 is too close to the segment start
        // at 290, 400 is past the end.
        positions.Sort();
        Assert.Equal([100, 150, 200, 290, 310, 330, 345, 399], positions);
    }

    [Fact]
    public void Ours_ladder_doubles_back_from_the_cursor_line_until_the_interval()
    {
        var policy = new HintedCheckpointPolicy(new CheckpointSettings(MaxMemoryMiB: 1, MinSpacingTokens: 256, IntervalTokens: 2048));
        var hints = new SyncHints([0, 1000], CursorLineStart: 5000, PrefixEnd: 5010);
        var positions = new List<int>();
        policy.PlanSaves(new SavePlan(4000, 5100, 512, 512, hints), [], positions);

        // 5000-256 and 5000-512 lie in the range decoded now; 5000-1024 and 5000-2048 lie before it
        // (kept from earlier or not needed), and a step of 2048 is the interval fill's job (4096).
        // The last token (5099) is within the spacing of the prefix end.
        positions.Sort();
        Assert.Equal([4096, 4488, 4744, 5000, 5010], positions);
    }

    [Fact]
    public void Ours_with_the_cursor_line_after_the_middle_marker_keeps_its_start_and_the_last_token()
    {
        var policy = new HintedCheckpointPolicy(new CheckpointSettings(MaxMemoryMiB: 1, MinSpacingTokens: 256, IntervalTokens: 2048));
        var hints = new SyncHints([0, 100], CursorLineStart: 520, PrefixEnd: 530, SuffixStart: 400);
        var positions = new List<int>();
        policy.PlanSaves(new SavePlan(500, 530, 512, 512, hints), [], positions);

        // Both within the spacing of each other: the line's start after the marker and the last token.
        positions.Sort();
        Assert.Equal([520, 529], positions);

        // Over budget, the checkpoint an earlier keystroke left at the old last token goes first;
        // the suffix marker, the line start and the new last token are hot.
        byte[] quarter = new byte[256 * 1024];
        Checkpoint[] kept = [new(100, quarter, 1, 0), new(400, quarter, 1, 1), new(520, quarter, 1, 2), new(525, quarter, 1, 3)];
        Assert.Equal(Admission.Evict(3), policy.Admit(new SavePlan(500, 530, 512, 512, hints), kept, 529, quarter.Length));
    }

    [Fact]
    public void Ours_over_budget_drops_the_cheapest_checkpoint_but_never_the_one_before_the_cursor_line()
    {
        // Budget 1 MiB = four 256 KiB checkpoints; the fifth needs one to go.
        var policy = new HintedCheckpointPolicy(new CheckpointSettings(MaxMemoryMiB: 1, MinSpacingTokens: 1, IntervalTokens: 100));
        byte[] quarter = new byte[256 * 1024];
        var hints = new SyncHints([], CursorLineStart: 505, PrefixEnd: 520);
        var plan = new SavePlan(0, 1000, 64, 32, hints);
        Checkpoint[] kept = [new(100, quarter, 1, 0), new(200, quarter, 1, 1), new(210, quarter, 1, 2), new(500, quarter, 1, 3)];

        // Losing 200 costs (200-100)*(210-200) = 1000, less than any other.
        Assert.Equal(Admission.Evict(1), policy.Admit(plan, kept, 700, quarter.Length));

        // Losing 500 would cost least, (500-300)*(520-500), but it is the newest before the cursor's
        // line and the candidate is at the prefix end: both hot.
        Checkpoint[] hotIsCheapest = [new(100, quarter, 1, 0), new(200, quarter, 1, 1), new(300, quarter, 1, 2), new(500, quarter, 1, 3)];
        Assert.Equal(Admission.Evict(0), policy.Admit(plan, hotIsCheapest, 520, quarter.Length));

        // One between the line start and the prefix end (an earlier keystroke's cursor) is not hot.
        Assert.Equal(Admission.Skip, policy.Admit(plan, hotIsCheapest, 510, quarter.Length));

        // A candidate that protects little (the token before the end) is skipped rather than evict.
        Checkpoint[] hot = [new(100, quarter, 1, 0), new(200, quarter, 1, 1), new(300, quarter, 1, 2), new(500, quarter, 1, 3)];
        Assert.Equal(Admission.Skip, policy.Admit(plan, hot, 999, quarter.Length));
        Assert.Equal(Admission.Skip, policy.Admit(plan, [], 10, 2L * 1024 * 1024));
    }

    [Fact]
    public void Unknown_policy_names_and_bad_settings_are_clear_errors()
    {
        Assert.Contains("lspllama", Assert.Throws<ArgumentException>(() => CheckpointPolicies.Create("fifo", new CheckpointSettings())).Message);
        Assert.Throws<ArgumentException>(() => CheckpointPolicies.Create("lspllama", new CheckpointSettings(MinSpacingTokens: 0)));
    }
}
