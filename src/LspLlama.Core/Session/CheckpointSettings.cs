namespace LspLlama.Core.Session;

/// <summary>
/// Settings of our checkpoint policy (`checkpoints.*` in the configuration).
/// </summary>
/// <param name="MaxMemoryMiB">Memory all checkpoints together may hold.</param>
/// <param name="MinSpacingTokens">No two checkpoints closer than this.</param>
/// <param name="IntervalTokens">Evenly spaced fill between the hinted positions.</param>
/// <param name="MaxDiskMiB">The disk tier: checkpoints the memory budget evicts are kept on disk up to this much; 0 turns it off.</param>
public sealed record CheckpointSettings(int MaxMemoryMiB = 1024, int MinSpacingTokens = 256, int IntervalTokens = 2048, int MaxDiskMiB = 4096)
{
    public long MaxMemoryBytes => (long)MaxMemoryMiB * 1024 * 1024;

    public long MaxDiskBytes => (long)MaxDiskMiB * 1024 * 1024;

    /// <summary>Throws a clear error for settings that cannot work.</summary>
    public CheckpointSettings Validated()
    {
        if (MaxMemoryMiB < 0 || MinSpacingTokens < 1 || IntervalTokens < 1 || MaxDiskMiB < 0)
        {
            throw new ArgumentException(
                $"checkpoint settings out of range: maxMemoryMiB {MaxMemoryMiB} (>= 0), " +
                $"minSpacingTokens {MinSpacingTokens} (>= 1), intervalTokens {IntervalTokens} (>= 1), maxDiskMiB {MaxDiskMiB} (>= 0)");
        }

        return this;
    }
}
