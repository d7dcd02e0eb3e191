namespace LspLlama.Core.Session;

/// <summary>
/// Decides where a sync saves checkpoints and which ones it keeps. Pluggable so that the bench
/// can compare ours with llama-server's. Never consulted for attention-only memory.
/// </summary>
public interface ICheckpointPolicy
{
    /// <summary>Name used on the command line and in bench output.</summary>
    string Name { get; }

    /// <summary>Memory the policy lets checkpoints hold; <see cref="long.MaxValue"/> when it only counts them.</summary>
    long MemoryBudgetBytes { get; }

    /// <summary>An evicted checkpoint nearer than this to the one before it is not worth the disk tier.</summary>
    int MinSpillSpacing => 1;

    /// <summary>
    /// Adds the positions in (<see cref="SavePlan.From"/>, <see cref="SavePlan.To"/>) where this sync
    /// should save a checkpoint. Any order; the session sorts them and splits batches there.
    /// </summary>
    void PlanSaves(in SavePlan plan, IReadOnlyList<Checkpoint> kept, List<int> positions);

    /// <summary>
    /// Asked before saving a checkpoint at <paramref name="position"/> (past every kept one) that
    /// needs <paramref name="bytes"/> of room: its own buffer plus those of evicted checkpoints still
    /// being written to the spill tier. The session evicts and asks again until the answer is save or skip.
    /// </summary>
    Admission Admit(in SavePlan plan, IReadOnlyList<Checkpoint> kept, int position, long bytes);
}

/// <summary>The sync a policy is planning for: decoding tokens [From, To) of the desired sequence.</summary>
/// <param name="SaveCostTokens">What one checkpoint save costs, in tokens of decoding (measured; 0 = free).</param>
public readonly record struct SavePlan(int From, int To, int BatchSize, int MicroBatchSize, SyncHints Hints, double SaveCostTokens = 0);

/// <summary>A policy's answer about a new checkpoint: save it, skip it, or first evict a kept one.</summary>
public readonly record struct Admission(AdmissionKind Kind, int EvictIndex)
{
    public static Admission Save => new(AdmissionKind.Save, -1);

    public static Admission Skip => new(AdmissionKind.Skip, -1);

    public static Admission Evict(int index) => new(AdmissionKind.Evict, index);
}

public enum AdmissionKind
{
    Save,
    Skip,
    Evict,
}
