using LspLlama.Core.Session;

namespace LspLlama.Core.Bench;

/// <summary>
/// What one replayed sync cost, as the model session reports it.
/// </summary>
/// <param name="DecodedTokens">Tokens decoded by this sync.</param>
/// <param name="IdealTokens">Tokens after the first changed token: what a perfect rollback decodes.</param>
/// <param name="Milliseconds">Wall time of the sync (restore, decode, checkpoint saves).</param>
/// <param name="CheckpointBytes">Bytes held by checkpoints after the sync.</param>
/// <param name="ContextTokens">Length of the synced sequence.</param>
/// <param name="FullReprocess">The sync started again from position 0 although the sequence shared a
/// prefix with what the model held (the memory could not be cut and no checkpoint helped).</param>
/// <param name="DecodeMs">Of the wall time, decoding.</param>
/// <param name="SaveMs">Of the wall time, saving checkpoints.</param>
/// <param name="RestoreMs">Of the wall time, restoring the checkpoint.</param>
/// <param name="CheckpointsSaved">Checkpoints this sync saved.</param>
/// <param name="Traffic">Checkpoint bytes copied, evictions, the disk tier's reads.</param>
/// <param name="Keystroke">Set by the replay: only keystrokes on the cursor's line came since the previous sync.</param>
public readonly record struct SyncCost(
    long DecodedTokens,
    long IdealTokens,
    double Milliseconds,
    long CheckpointBytes,
    int ContextTokens,
    bool FullReprocess,
    double DecodeMs = 0,
    double SaveMs = 0,
    double RestoreMs = 0,
    int CheckpointsSaved = 0,
    CheckpointTraffic Traffic = default,
    bool Keystroke = false)
{
    /// <summary>Documents the request's prompt held stale or left out (a bounded sync); 0: all exact.</summary>
    public int StaleDocuments { get; init; }

    /// <summary>Age of the oldest change the prompt lacked, in milliseconds of the replay.</summary>
    public double StaleAgeMs { get; init; }
}
