namespace LspLlama.Core.Session;

/// <summary>
/// A checkpoint every n_batch tokens, at most 32, first in first out: what llama-server's removed
/// `--checkpoint-every-n-tokens` amounted to. Here for comparison in the bench.
/// </summary>
public sealed class IntervalCheckpointPolicy : ICheckpointPolicy
{
    public const int MaxCheckpoints = 32;

    public string Name => CheckpointPolicies.Interval;

    public long MemoryBudgetBytes => long.MaxValue;

    public void PlanSaves(in SavePlan plan, IReadOnlyList<Checkpoint> kept, List<int> positions)
    {
        for (int p = (plan.From / plan.BatchSize + 1) * plan.BatchSize; p < plan.To; p += plan.BatchSize)
        {
            positions.Add(p);
        }
    }

    public Admission Admit(in SavePlan plan, IReadOnlyList<Checkpoint> kept, int position, long bytes) =>
        kept.Count >= MaxCheckpoints ? Admission.Evict(CheckpointPolicies.Oldest(kept)) : Admission.Save;
}
