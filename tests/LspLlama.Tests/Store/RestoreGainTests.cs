using LspLlama.Core.Session;
using LspLlama.Store;
using Xunit;

namespace LspLlama.Tests.Store;

public sealed class RestoreGainTests
{
    private static readonly int[] s_stored = [.. Enumerable.Range(0, 1000)];
    private static readonly StoredCheckpoint[] s_checkpoints = [new(100, 99, 99, 10), new(500, 499, 499, 10), new(900, 899, 899, 10)];

    private static int[] PlanDivergingAt(int index) => [.. s_stored.Take(index), -1, .. s_stored.Skip(index + 1)];

    [Fact]
    public void Attention_memory_keeps_the_whole_common_prefix()
    {
        Assert.Equal(750, RestoreGain.ReusableTokens(s_stored, s_checkpoints, PlanDivergingAt(750), MemoryKind.Attention));
    }

    [Fact]
    public void Recurrent_memory_falls_back_to_the_last_checkpoint_within_the_prefix()
    {
        Assert.Equal(500, RestoreGain.ReusableTokens(s_stored, s_checkpoints, PlanDivergingAt(750), MemoryKind.Recurrent));
        Assert.Equal(500, RestoreGain.ReusableTokens(s_stored, s_checkpoints, PlanDivergingAt(500), MemoryKind.Recurrent));
        Assert.Equal(0, RestoreGain.ReusableTokens(s_stored, s_checkpoints, PlanDivergingAt(99), MemoryKind.Recurrent));
    }

    [Fact]
    public void A_plan_that_extends_the_stored_tokens_reuses_all_of_them()
    {
        int[] longer = [.. s_stored, 5, 6, 7];
        Assert.Equal(1000, RestoreGain.ReusableTokens(s_stored, [], longer, MemoryKind.Recurrent));
    }

    [Fact]
    public void Save_policy_waits_for_enough_change_and_time()
    {
        SavePolicy policy = new(TimeSpan.FromMinutes(1), minChangedTokens: 100);
        DateTime t0 = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        policy.MarkSaved(s_stored, t0);

        Assert.False(policy.ShouldSaveWhenIdle(PlanDivergingAt(950), t0.AddMinutes(5)));
        Assert.False(policy.ShouldSaveWhenIdle(PlanDivergingAt(100), t0.AddSeconds(30)));
        Assert.True(policy.ShouldSaveWhenIdle(PlanDivergingAt(100), t0.AddMinutes(1)));
        Assert.Equal(900, policy.ChangedTokens(PlanDivergingAt(100)));
    }

    [Fact]
    public void Save_policy_saves_any_change_on_shutdown()
    {
        SavePolicy policy = new(TimeSpan.FromMinutes(1), minChangedTokens: 100);
        Assert.False(policy.ShouldSaveOnShutdown([]));
        policy.MarkSaved(s_stored, DateTime.UtcNow);
        Assert.False(policy.ShouldSaveOnShutdown(s_stored));
        Assert.True(policy.ShouldSaveOnShutdown(PlanDivergingAt(999)));
        Assert.True(policy.ShouldSaveOnShutdown(s_stored[..900]));
    }
}
