namespace LspLlama.Core.Bench;

/// <summary>
/// Adds up what one policy's syncs moved in checkpoints: at real model sizes a checkpoint is
/// 50–230 MiB, so bytes copied per keystroke and the copy throughput matter as much as tokens.
/// </summary>
public sealed class CheckpointTally
{
    private readonly List<double> _bytesCopied = [];
    private readonly List<double> _keystrokeBytes = [];
    private readonly List<double> _keystrokeMs = [];
    private readonly List<double> _keystrokeDecodeMs = [];

    private long _saves;
    private long _restores;
    private long _bytesSaved;
    private long _bytesRestored;
    private double _saveMs;
    private double _restoreMs;
    private int _evictions;
    private int _spilled;
    private int _diskRestores;
    private long _diskBytesRead;
    private double _diskReadMs;
    private long _diskTokensSpared;
    private long _checkpointSize;
    private long _freshBytesSaved;
    private double _freshSaveMs;

    public void Add(SyncCost sync)
    {
        var t = sync.Traffic;
        _bytesCopied.Add(t.BytesCopied);
        _saves += sync.CheckpointsSaved;
        _restores += t.Restored;
        _bytesSaved += t.BytesSaved;
        _bytesRestored += t.BytesRestored;
        _saveMs += sync.SaveMs;
        _restoreMs += sync.RestoreMs;
        _evictions += t.Evictions;
        _spilled += t.Spilled;
        _diskRestores += t.DiskRestores;
        _diskBytesRead += t.DiskBytesRead;
        _diskReadMs += t.DiskReading.TotalMilliseconds;
        _diskTokensSpared += t.DiskTokensSpared;
        _freshBytesSaved += t.FreshBytesSaved;
        _freshSaveMs += t.FreshSaving.TotalMilliseconds;
        if (sync.CheckpointsSaved > 0)
        {
            _checkpointSize = Math.Max(_checkpointSize, t.BytesSaved / sync.CheckpointsSaved);
        }

        if (t.Restored > 0)
        {
            _checkpointSize = Math.Max(_checkpointSize, t.BytesRestored / t.Restored);
        }

        if (sync.Keystroke)
        {
            _keystrokeBytes.Add(t.BytesCopied);
            _keystrokeMs.Add(sync.Milliseconds);
            _keystrokeDecodeMs.Add(sync.DecodeMs);
        }
    }

    /// <param name="peakCheckpointBytes">The session's peak checkpoint memory (it sees within a sync, too).</param>
    /// <param name="rss">The process's resident memory during the replay (zeros where unknown).</param>
    public CheckpointFigures ToFigures(long peakCheckpointBytes, ReplayResidentMemory rss) => new(
        _saves,
        _restores,
        _bytesSaved,
        _bytesRestored,
        _saveMs,
        _restoreMs,
        Percentiles.Of(_bytesCopied),
        _keystrokeBytes.Count,
        Percentiles.Of(_keystrokeBytes),
        Percentiles.Of(_keystrokeMs),
        Percentiles.Of(_keystrokeDecodeMs),
        _evictions,
        _spilled,
        _diskRestores,
        _diskBytesRead,
        _diskReadMs,
        _diskTokensSpared,
        _checkpointSize,
        peakCheckpointBytes,
        rss.PeakBytes,
        rss.StartBytes,
        _freshBytesSaved,
        _freshSaveMs);
}

/// <summary>The process's resident memory over one replay.</summary>
/// <param name="PeakBytes">The peak, from the replay's start on; 0 where unknown.</param>
/// <param name="StartBytes">Resident at the start, with the model loaded and its context made, less the model file's own pages (counted whole in the bound); 0 where unknown.</param>
public readonly record struct ReplayResidentMemory(long PeakBytes, long StartBytes);

/// <summary>One policy's checkpoint figures (the report's second table, <c>checkpoints</c> in the JSON).</summary>
/// <param name="CheckpointSize">The largest single checkpoint seen (bytes of one save or restore).</param>
public sealed record CheckpointFigures(
    long Saves,
    long Restores,
    long BytesSaved,
    long BytesRestored,
    double SaveMs,
    double RestoreMs,
    Percentiles BytesCopiedPerSync,
    int KeystrokeSyncs,
    Percentiles KeystrokeBytesCopied,
    Percentiles KeystrokeSyncMs,
    Percentiles KeystrokeDecodeMs,
    int Evictions,
    int Spilled,
    int DiskRestores,
    long DiskBytesRead,
    double DiskReadMs,
    long DiskTokensSpared,
    long CheckpointSize,
    long PeakCheckpointBytes,
    long PeakRssBytes,
    long StartRssBytes = 0,
    long FreshBytesSaved = 0,
    double FreshSaveMs = 0)
{
    /// <summary>Save throughput in bytes per second; null when nothing was saved.</summary>
    public double? SaveBytesPerSecond => Rate(BytesSaved, SaveMs);

    /// <summary>Saves into pooled buffers, the memory a checkpoint's copy runs in once the budget is warm.</summary>
    public double? WarmSaveBytesPerSecond => Rate(BytesSaved - FreshBytesSaved, SaveMs - FreshSaveMs);

    /// <summary>Saves into new buffers, each page faulted in by its first write (the budget filling up).</summary>
    public double? FreshSaveBytesPerSecond => Rate(FreshBytesSaved, FreshSaveMs);

    public double? RestoreBytesPerSecond => Rate(BytesRestored, RestoreMs);

    public double? DiskReadBytesPerSecond => Rate(DiskBytesRead, DiskReadMs);

    private static double? Rate(long bytes, double ms) => bytes <= 0 || ms <= 0 ? null : bytes / (ms / 1000);
}
