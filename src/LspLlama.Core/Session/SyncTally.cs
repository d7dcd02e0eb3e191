namespace LspLlama.Core.Session;

/// <summary>Running figures of one sync; times in stopwatch ticks.</summary>
internal struct Tally
{
    public int Desired;
    public int Held;
    public int CommonPrefix;
    public int Kept;
    public int RestoredFrom;
    public int Decoded;
    public int Ideal;
    public long Decoding;
    public long Saving;
    public long Restoring;
    public int CheckpointsSaved;
    public int Restored;
    public long BytesSaved;
    public long FreshBytesSaved;
    public long FreshSaving;
    public long BytesRestored;
    public int Evictions;
    public int Spilled;
    public int SkippedSaves;
    public int DiskRestores;
    public long DiskBytesRead;
    public long DiskReading;
    public int DiskTokensSpared;
}
