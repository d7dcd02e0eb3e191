using LspLlama.Core.Session;

namespace LspLlama.Core.Bench;

/// <summary>
/// The checkpoint targets at a real model's size (issue "Checkpoints at the sizes of real models"),
/// computed for our policy from a report: bytes copied per keystroke against one checkpoint, peak
/// memory against the budget, copy throughput against this machine's memory copy (saves into pooled
/// buffers against a copy between warm buffers, saves into new buffers against a copy into new memory:
/// a first write pays the kernel's page faults, which no copy routine avoids), the keystroke sync
/// against end-only's and against its floor (its decode plus one restore at the copy bandwidth), and
/// the peak resident memory against the process at the start plus the model file and the budget.
/// Null where the run lacks what a ratio needs.
/// </summary>
public sealed record CheckpointAcceptance(
    double? KeystrokeCopiesToCheckpoint,
    double? PeakToBudget,
    double? SaveToCopy,
    double? RestoreToCopy,
    double? KeystrokeToEndOnly,
    double? KeystrokeToFloor,
    double? PeakRssToBound,
    double? FreshSaveToFirstTouch = null)
{
    public const double MaxKeystrokeCopies = 1;

    /// <summary>Peak RSS at most the process at the start (runtime, context) + the model file + the budget, plus this share.</summary>
    public const double MaxRssOverBound = 1.15;
    public const double MinCopyShare = 0.5;
    public const double MaxToFloor = 1.2;

    public static CheckpointAcceptance Of(BenchReport report)
    {
        PolicyResult? ours = report.Policies.FirstOrDefault(p => p.Name == CheckpointPolicies.Lspllama);
        PolicyResult? endOnly = report.Policies.FirstOrDefault(p => p.Name == CheckpointPolicies.EndOnly);
        if (ours?.Checkpoints is not { } c)
        {
            return new CheckpointAcceptance(null, null, null, null, null, null, null);
        }

        double? copy = report.CopyBytesPerSecond;
        double? floor = copy is double bandwidth && c.CheckpointSize > 0 && c.KeystrokeSyncs > 0
            ? c.KeystrokeDecodeMs.P50 + (c.CheckpointSize / bandwidth * 1000)
            : null;
        // What the process may hold: itself with the context made (measured at the replay's start),
        // the whole model file mapped, and the checkpoint budget.
        long bound = c.StartRssBytes > 0 ? c.StartRssBytes + report.Model.FileBytes + report.Model.CheckpointBudgetBytes : 0;
        return new CheckpointAcceptance(
            c.CheckpointSize > 0 && c.KeystrokeSyncs > 0 ? c.KeystrokeBytesCopied.P50 / c.CheckpointSize : null,
            report.Model.CheckpointBudgetBytes > 0 ? (double)c.PeakCheckpointBytes / report.Model.CheckpointBudgetBytes : null,
            Share(c.WarmSaveBytesPerSecond, copy),
            Share(c.RestoreBytesPerSecond, copy),
            endOnly?.Checkpoints is { KeystrokeSyncs: > 0 } e && c.KeystrokeSyncs > 0 && e.KeystrokeSyncMs.P50 > 0 ? c.KeystrokeSyncMs.P50 / e.KeystrokeSyncMs.P50 : null,
            floor is double f && f > 0 ? c.KeystrokeSyncMs.P50 / f : null,
            c.PeakRssBytes > 0 && bound > 0 ? (double)c.PeakRssBytes / bound : null,
            Share(c.FreshSaveBytesPerSecond, report.FirstTouchBytesPerSecond));
    }

    private static double? Share(double? rate, double? copy) => rate is double r && copy is double c && c > 0 ? r / c : null;
}
