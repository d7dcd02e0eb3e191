namespace LspLlama.Core.Session;

/// <summary>The policies by name, for settings and the bench.</summary>
public static class CheckpointPolicies
{
    public const string Lspllama = "lspllama";
    public const string None = "none";
    public const string EndOnly = "end-only";
    public const string Interval = "interval";

    public static IReadOnlyList<string> Names { get; } = [Lspllama, None, EndOnly, Interval];

    public static ICheckpointPolicy Create(string name, CheckpointSettings settings) => name switch
    {
        Lspllama => new HintedCheckpointPolicy(settings.Validated()),
        None => new NoCheckpointPolicy(),
        EndOnly => new EndOnlyCheckpointPolicy(),
        Interval => new IntervalCheckpointPolicy(),
        _ => throw new ArgumentException($"unknown checkpoint policy '{name}' (known: {string.Join(", ", Names)})", nameof(name)),
    };

    /// <summary>Index of the oldest checkpoint by creation, for first-in-first-out caps.</summary>
    public static int Oldest(IReadOnlyList<Checkpoint> kept)
    {
        int oldest = 0;
        for (int i = 1; i < kept.Count; i++)
        {
            if (kept[i].Created < kept[oldest].Created)
            {
                oldest = i;
            }
        }

        return oldest;
    }
}

/// <summary>No checkpoints: any rollback of a recurrent or hybrid model re-decodes from position 0.</summary>
public sealed class NoCheckpointPolicy : ICheckpointPolicy
{
    public string Name => CheckpointPolicies.None;

    public long MemoryBudgetBytes => 0;

    public void PlanSaves(in SavePlan plan, IReadOnlyList<Checkpoint> kept, List<int> positions)
    {
    }

    public Admission Admit(in SavePlan plan, IReadOnlyList<Checkpoint> kept, int position, long bytes) => Admission.Skip;
}
