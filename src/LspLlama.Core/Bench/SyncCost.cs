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
public readonly record struct SyncCost(
    long DecodedTokens,
    long IdealTokens,
    double Milliseconds,
    long CheckpointBytes,
    int ContextTokens,
    bool FullReprocess);
