namespace LspLlama.Core.Session;

/// <summary>What one <see cref="ModelSession.Sync"/> did, for the bench, the status command and logs.</summary>
/// <param name="Desired">Length of the desired sequence.</param>
/// <param name="Held">Tokens the memory held before the sync.</param>
/// <param name="CommonPrefix">Longest common prefix of the held and the desired sequence.</param>
/// <param name="Kept">Tokens kept after the rollback (where decoding started).</param>
/// <param name="RestoredFrom">Checkpoint position restored, -1 when no checkpoint was restored.</param>
/// <param name="Decoded">Tokens decoded by this sync.</param>
/// <param name="Ideal">Tokens after the first changed token (at least one when logits must be made): the least any rollback could decode.</param>
/// <param name="CheckpointsSaved">Checkpoints saved by this sync.</param>
/// <param name="CheckpointCount">Checkpoints kept after the sync.</param>
/// <param name="CheckpointBytes">Memory those checkpoints hold.</param>
/// <param name="Cancelled">True when cancellation stopped the sync between two batches.</param>
/// <param name="Traffic">Checkpoint bytes this sync copied, evicted, spilled and read back.</param>
public readonly record struct SyncFigures(
    int Desired,
    int Held,
    int CommonPrefix,
    int Kept,
    int RestoredFrom,
    int Decoded,
    int Ideal,
    TimeSpan Decoding,
    TimeSpan Saving,
    TimeSpan Restoring,
    int CheckpointsSaved,
    int CheckpointCount,
    long CheckpointBytes,
    bool Cancelled,
    CheckpointTraffic Traffic = default)
{
    /// <summary>True when the memory held something but everything was decoded again from position 0.</summary>
    public bool FullReprocess => Kept == 0 && Held > 0;
}
