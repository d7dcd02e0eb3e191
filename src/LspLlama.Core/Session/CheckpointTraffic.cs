namespace LspLlama.Core.Session;

/// <summary>
/// What one sync moved in checkpoints: at real model sizes (50–230 MiB a checkpoint) every save and
/// restore is a copy of that much memory, so the bytes are reported next to the tokens.
/// </summary>
/// <param name="Restored">Checkpoints restored (at most one per sync; from memory or from disk).</param>
/// <param name="BytesSaved">Bytes copied out of the model's memory by this sync's saves.</param>
/// <param name="BytesRestored">Bytes copied into the model's memory by its restore.</param>
/// <param name="Evictions">Checkpoints the memory budget (or a policy's cap) took out of memory.</param>
/// <param name="Spilled">Of those, how many went to the disk tier instead of being lost.</param>
/// <param name="DiskRestores">Restores read from the disk tier.</param>
/// <param name="DiskBytesRead">Bytes read back from disk.</param>
/// <param name="DiskReading">Time spent reading them (and checking their checksums).</param>
/// <param name="DiskTokensSpared">Tokens a disk restore spared against the newest checkpoint in memory.</param>
/// <param name="SkippedSaves">Saves the policy planned and then skipped (a save would have cost more than it spares).</param>
/// <param name="FreshBytesSaved">Of the bytes saved, those written into new buffers: a first write into fresh memory pays a page fault every 4 KiB.</param>
/// <param name="FreshSaving">Time those saves took.</param>
public readonly record struct CheckpointTraffic(
    int Restored,
    long BytesSaved,
    long BytesRestored,
    int Evictions,
    int Spilled,
    int DiskRestores,
    long DiskBytesRead,
    TimeSpan DiskReading,
    int DiskTokensSpared,
    int SkippedSaves = 0,
    long FreshBytesSaved = 0,
    TimeSpan FreshSaving = default)
{
    /// <summary>Bytes copied between the model's memory and checkpoint buffers.</summary>
    public long BytesCopied => BytesSaved + BytesRestored;

    public static CheckpointTraffic operator +(CheckpointTraffic a, CheckpointTraffic b) => new(
        a.Restored + b.Restored,
        a.BytesSaved + b.BytesSaved,
        a.BytesRestored + b.BytesRestored,
        a.Evictions + b.Evictions,
        a.Spilled + b.Spilled,
        a.DiskRestores + b.DiskRestores,
        a.DiskBytesRead + b.DiskBytesRead,
        a.DiskReading + b.DiskReading,
        a.DiskTokensSpared + b.DiskTokensSpared,
        a.SkippedSaves + b.SkippedSaves,
        a.FreshBytesSaved + b.FreshBytesSaved,
        a.FreshSaving + b.FreshSaving);
}
