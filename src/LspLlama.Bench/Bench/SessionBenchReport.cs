using System.Globalization;
using System.Text;
using LspLlama.Core.Bench;

namespace LspLlama.Bench;

/// <summary>Totals of one policy over the replayed requests (the initial fill is reported apart).</summary>
/// <param name="Ratio">Tokens decoded divided by the ideal (tokens after the first changed token).</param>
/// <param name="CheckpointOverhead">Time saving and restoring checkpoints as a fraction of time decoding.</param>
/// <param name="InitialSaveOverhead">Saving time during the initial fill as a fraction of its decoding time.</param>
public sealed record SessionBenchResult(
    string Policy,
    int Requests,
    long Decoded,
    long Ideal,
    double Ratio,
    long TypingDecoded,
    long TypingIdeal,
    long EditDecoded,
    long EditIdeal,
    double WallSeconds,
    double DecodeSeconds,
    double SaveSeconds,
    double RestoreSeconds,
    double CheckpointOverhead,
    int FullReprocesses,
    int MaxCheckpoints,
    long MaxCheckpointBytes,
    double InitialSeconds,
    double InitialSaveOverhead,
    long Saves = 0,
    long Restores = 0,
    int Evictions = 0,
    Percentiles BytesCopiedPerRequest = default);

/// <summary>What `lspllama bench-session` prints and writes as JSON.</summary>
public sealed record SessionBenchReport(
    SessionBenchOptions Options,
    string Model,
    string Memory,
    int InitialTokens,
    IReadOnlyList<SessionBenchResult> Results)
{
    public string ToTable()
    {
        var b = new StringBuilder();
        CultureInfo c = CultureInfo.InvariantCulture;
        b.AppendLine(c, $"model {Model}; {Memory}");
        b.AppendLine(c, $"{InitialTokens} tokens held, {Results.FirstOrDefault()?.Requests} requests " +
            $"({Options.Keystrokes} keystrokes at the cursor, an earlier-segment edit every {Options.EditEvery}), " +
            $"n_batch {Options.BatchSize}, n_ubatch {Options.MicroBatchSize}, {Options.Threads} threads");
        b.AppendLine(c, $"{"policy",-10} {"decoded",10} {"ideal",9} {"ratio",7} {"typing",14} {"edits",18} {"wall s",8} {"decode s",9} {"save+rest.",11} {"full",5} {"ckpts",6} {"ckpt MiB",9} {"saves",6} {"restores",8} {"evicted",7} {"MiB copied p50",14} {"p95",7}");
        foreach (SessionBenchResult r in Results)
        {
            b.AppendLine(c,
                $"{r.Policy,-10} {r.Decoded,10} {r.Ideal,9} {r.Ratio,7:F2} {r.TypingDecoded + "/" + r.TypingIdeal,14} " +
                $"{r.EditDecoded + "/" + r.EditIdeal,18} {r.WallSeconds,8:F2} {r.DecodeSeconds,9:F2} {r.CheckpointOverhead,10:P1} " +
                $"{r.FullReprocesses,5} {r.MaxCheckpoints,6} {r.MaxCheckpointBytes / 1048576.0,9:F1} " +
                $"{r.Saves,6} {r.Restores,8} {r.Evictions,7} {r.BytesCopiedPerRequest.P50 / 1048576.0,14:F1} {r.BytesCopiedPerRequest.P95 / 1048576.0,7:F1}");
        }

        b.Append("typing/edits: decoded/ideal; save+rest.: checkpoint save and restore time as a share of decode time; full: requests that decoded everything again");
        return b.ToString();
    }
}
