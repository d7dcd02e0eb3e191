namespace LspLlama.Core.Session;

/// <summary>
/// llama-server's policy for a plain /completion (server-context.cpp at 815a2a59): checkpoints only
/// where 4 + n_ubatch and 4 prompt tokens remain, a new one only when none exists, near the end
/// (fewer than n_ubatch tokens left) or more than 8192 tokens past the newest, at most 32, first in
/// first out. Here for comparison in the bench.
/// </summary>
public sealed class EndOnlyCheckpointPolicy : ICheckpointPolicy
{
    public const int MaxCheckpoints = 32;
    public const int MinStep = 8192;
    private const int EndMargin = 4;

    public string Name => CheckpointPolicies.EndOnly;

    public long MemoryBudgetBytes => long.MaxValue;

    public void PlanSaves(in SavePlan plan, IReadOnlyList<Checkpoint> kept, List<int> positions)
    {
        positions.Add(plan.To - EndMargin - plan.MicroBatchSize);
        positions.Add(plan.To - EndMargin);
    }

    public Admission Admit(in SavePlan plan, IReadOnlyList<Checkpoint> kept, int position, long bytes)
    {
        bool nearEnd = plan.To - position < plan.MicroBatchSize;
        if (kept.Count > 0 && !nearEnd && position - kept[^1].Position <= MinStep)
        {
            return Admission.Skip;
        }

        return kept.Count >= MaxCheckpoints ? Admission.Evict(CheckpointPolicies.Oldest(kept)) : Admission.Save;
    }
}
