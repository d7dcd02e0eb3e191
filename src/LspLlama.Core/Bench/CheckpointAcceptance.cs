namespace LspLlama.Core.Bench;

/// <summary>
/// The checkpoint targets at a real model's size (issue "Checkpoints at the sizes of real models"),
/// computed for our policy from a report: bytes copied per keystroke against one checkpoint, peak
/// memory against the budget, copy throughput against this machine's memory copy, and the keystroke
/// sync against end-only's and against its floor (its decode plus one restore at the copy bandwidth).
/// Null where the run lacks what a ratio needs.
/// </summary>
public sealed record CheckpointAcceptance(
    double? KeystrokeCopiesToCheckpoint,
    double? PeakToBudget,
    double? SaveToCopy,
    double? RestoreToCopy,
    double? KeystrokeToEndOnly,
    double? KeystrokeToFloor,
    double? PeakRssToModelAndBudget)
{
    public const double MaxKeystrokeCopies = 1;
    public const double MinCopyShare = 0.5;
    public const double MaxToFloor = 1.2;

    public static CheckpointAcceptance Of(BenchReport report)
    {
        PolicyResult? ours = report.Policies.FirstOrDefault(p => p.Name == BenchAcceptance.Lspllama);
        PolicyResult? endOnly = report.Policies.FirstOrDefault(p => p.Name == BenchAcceptance.EndOnly);
        if (ours?.Checkpoints is not { } c)
        {
            return new CheckpointAcceptance(null, null, null, null, null, null, null);
        }

        double? copy = report.CopyBytesPerSecond;
        double? floor = copy is double bandwidth && c.CheckpointSize > 0 && c.KeystrokeSyncs > 0
            ? c.KeystrokeDecodeMs.P50 + (c.CheckpointSize / bandwidth * 1000)
            : null;
        long modelAndBudget = report.Model.FileBytes + report.Model.CheckpointBudgetBytes;
        return new CheckpointAcceptance(
            c.CheckpointSize > 0 && c.KeystrokeSyncs > 0 ? c.KeystrokeBytesCopied.P50 / c.CheckpointSize : null,
            report.Model.CheckpointBudgetBytes > 0 ? (double)c.PeakCheckpointBytes / report.Model.CheckpointBudgetBytes : null,
            Share(c.SaveBytesPerSecond, copy),
            Share(c.RestoreBytesPerSecond, copy),
            endOnly?.Checkpoints is { KeystrokeSyncs: > 0 } e && c.KeystrokeSyncs > 0 && e.KeystrokeSyncMs.P50 > 0 ? c.KeystrokeSyncMs.P50 / e.KeystrokeSyncMs.P50 : null,
            floor is double f && f > 0 ? c.KeystrokeSyncMs.P50 / f : null,
            c.PeakRssBytes > 0 && modelAndBudget > 0 ? (double)c.PeakRssBytes / modelAndBudget : null);
    }

    private static double? Share(double? rate, double? copy) => rate is double r && copy is double c && c > 0 ? r / c : null;
}
