using System.Globalization;
using LspLlama.Core.Bench;
using LspLlama.Core.Session;

namespace LspLlama.Bench;

/// <summary>
/// The report's checkpoint table: what each policy copied, how fast against this machine's memory
/// copy (measured in the same run), what the budget evicted and the disk tier gave back, and the
/// peaks. At tiny sizes these figures are small; at a real model's (50–230 MiB a checkpoint) they
/// are where a keystroke's time goes.
/// </summary>
public static class CheckpointTable
{
    private const double MiB = 1024.0 * 1024.0;

    /// <summary>The smallest checkpoint the copy targets are judged at (the presets weigh 50–150 MiB; lfm2's 0.34 MiB stays out).</summary>
    public const long RealSizeBytes = 8L * 1024 * 1024;

    public static void Write(TextWriter w, BenchReport report)
    {
        double? copy = report.CopyBytesPerSecond;
        if (copy is double bandwidth)
        {
            w.WriteLine(Inv($"memory copy (one thread, this run): {bandwidth / 1e9:F2} GB/s{(report.FirstTouchBytesPerSecond is double f ? $"; into new memory (its pages faulted in by the copy) {f / 1e9:F2} GB/s" : "")}"));
        }

        string[] header = ["checkpoints", "saves", "restores", "from disk", "MiB copied/sync p50", "p95", "keystroke p50", "save GB/s", "restore GB/s", "evicted", "to disk", "peak MiB", "peak RSS MiB"];
        List<string[]> rows = [header];
        foreach (PolicyResult p in report.Policies)
        {
            if (p.Checkpoints is not { } c)
            {
                continue;
            }

            rows.Add([
                p.Name,
                Inv($"{c.Saves:N0}"),
                Inv($"{c.Restores:N0}"),
                Inv($"{c.DiskRestores:N0}"),
                Inv($"{c.BytesCopiedPerSync.P50 / MiB:F1}"),
                Inv($"{c.BytesCopiedPerSync.P95 / MiB:F1}"),
                Inv($"{c.KeystrokeBytesCopied.P50 / MiB:F1}"),
                Throughput(c.WarmSaveBytesPerSecond, copy),
                Throughput(c.RestoreBytesPerSecond, copy),
                Inv($"{c.Evictions:N0}"),
                Inv($"{c.Spilled:N0}"),
                Inv($"{c.PeakCheckpointBytes / MiB:F1}"),
                c.PeakRssBytes > 0 ? Inv($"{c.PeakRssBytes / MiB:F0}") : "n/a",
            ]);
        }

        int[] widths = [.. Enumerable.Range(0, header.Length).Select(col => rows.Max(r => r[col].Length))];
        foreach (string[] row in rows)
        {
            w.WriteLine(string.Join("  ", row.Select((cell, col) => col == 0 ? cell.PadRight(widths[col]) : cell.PadLeft(widths[col]))));
        }

        foreach (PolicyResult p in report.Policies)
        {
            if (p.Checkpoints is { KeystrokeSyncs: > 0 } c)
            {
                WriteKeystrokes(w, p.Name, c, copy);
            }

            if (p.Checkpoints is { FreshBytesSaved: > 0 } n && n.CheckpointSize >= RealSizeBytes)
            {
                w.WriteLine(Inv($"{p.Name}: {n.FreshBytesSaved / MiB:F0} MiB saved into new buffers (the budget filling up) in {n.FreshSaveMs:F0} ms{Rate(n.FreshSaveBytesPerSecond)}; the save GB/s above are those into pooled buffers"));
            }

            if (p.Checkpoints is { DiskRestores: > 0 } d)
            {
                w.WriteLine(Inv($"{p.Name}: the disk tier gave back {d.DiskRestores} checkpoints ({d.DiskBytesRead / MiB:F0} MiB in {d.DiskReadMs:F0} ms{Rate(d.DiskReadBytesPerSecond)}), sparing {d.DiskTokensSpared:N0} tokens against the newest checkpoint in memory"));
            }
        }
    }

    /// <summary>Our policy's checkpoint targets, with a verdict each.</summary>
    public static void WriteAcceptance(TextWriter w, BenchReport report)
    {
        // At a tiny model's size a save costs less than a token and copying is free: the targets
        // are about real sizes, and a "NOT met" there would read as a broken bench.
        if (report.Policies.FirstOrDefault(p => p.Name == CheckpointPolicies.Lspllama)?.Checkpoints is { } ours && ours.CheckpointSize < RealSizeBytes)
        {
            w.WriteLine(Inv($"checkpoint targets: for real-size checkpoints (--model-like NAME); these weigh {ours.CheckpointSize / MiB:F2} MiB"));
            return;
        }

        CheckpointAcceptance a = CheckpointAcceptance.Of(report);
        Line(w, "keystroke copies / checkpoint", a.KeystrokeCopiesToCheckpoint, $"<= {CheckpointAcceptance.MaxKeystrokeCopies:F0}", a.KeystrokeCopiesToCheckpoint <= CheckpointAcceptance.MaxKeystrokeCopies);
        Line(w, "ckpt peak / budget", a.PeakToBudget, "<= 1", a.PeakToBudget <= 1);
        Line(w, "save GB/s / memory copy", a.SaveToCopy, $">= {CheckpointAcceptance.MinCopyShare:F1}", a.SaveToCopy >= CheckpointAcceptance.MinCopyShare);
        Line(w, "restore GB/s / memory copy", a.RestoreToCopy, $">= {CheckpointAcceptance.MinCopyShare:F1}", a.RestoreToCopy >= CheckpointAcceptance.MinCopyShare);
        Line(w, "new-buffer save / new memory", a.FreshSaveToFirstTouch, $">= {CheckpointAcceptance.MinCopyShare:F1}", a.FreshSaveToFirstTouch >= CheckpointAcceptance.MinCopyShare);
        Line(w, "keystroke sync / end-only's", a.KeystrokeToEndOnly, "< 1", a.KeystrokeToEndOnly < 1);
        Line(w, "keystroke sync / its floor", a.KeystrokeToFloor, $"<= {CheckpointAcceptance.MaxToFloor:F1}", a.KeystrokeToFloor <= CheckpointAcceptance.MaxToFloor);
        Line(w, "peak RSS / its bound", a.PeakRssToBound, $"<= {CheckpointAcceptance.MaxRssOverBound:F2}", a.PeakRssToBound <= CheckpointAcceptance.MaxRssOverBound);
        if (report.Policies.FirstOrDefault(p => p.Name == CheckpointPolicies.Lspllama)?.Checkpoints is { StartRssBytes: > 0 } c)
        {
            w.WriteLine(Inv($"  its bound: {c.StartRssBytes / MiB:F0} MiB resident at the start (runtime, context) + {report.Model.FileBytes / MiB:F0} MiB model file + {report.Model.CheckpointBudgetBytes / MiB:F0} MiB budget; peak {c.PeakRssBytes / MiB:F0} MiB"));
        }
    }

    private static void Line(TextWriter w, string label, double? value, string? target, bool met)
    {
        string figure = value is double v ? Inv($"{v,8:F2}") : "     n/a";
        w.WriteLine(target is null || value is null
            ? Inv($"{label,-28} {figure}").TrimEnd()
            : Inv($"{label,-28} {figure,-18} target {target,-8} {(met ? "met" : "NOT met")}"));
    }

    /// <summary>
    /// A keystroke's sync against its floor: the decode it needs plus one checkpoint restore at the
    /// measured copy bandwidth (what a perfect keystroke costs at this checkpoint size).
    /// </summary>
    private static void WriteKeystrokes(TextWriter w, string policy, CheckpointFigures c, double? copy)
    {
        string floor = copy is double bandwidth && c.CheckpointSize > 0
            ? Inv($"; floor (decode p50 + one {c.CheckpointSize / MiB:F0} MiB restore at the copy bandwidth) {c.KeystrokeDecodeMs.P50 + (c.CheckpointSize / bandwidth * 1000):F1} ms")
            : "";
        w.WriteLine(Inv($"{policy}: {c.KeystrokeSyncs} keystroke syncs, sync ms p50 {c.KeystrokeSyncMs.P50:F1} (decode {c.KeystrokeDecodeMs.P50:F1}), {c.KeystrokeBytesCopied.P50 / MiB:F1} MiB copied p50{floor}"));
    }

    private static string Rate(double? bytesPerSecond) => bytesPerSecond is double r ? Inv($", {r / 1e9:F2} GB/s") : "";


    private static string Throughput(double? bytesPerSecond, double? copy) => bytesPerSecond switch
    {
        null => "-",
        double b when copy is double c && c > 0 => Inv($"{b / 1e9:F2} ({b / c * 100:F0}%)"),
        double b => Inv($"{b / 1e9:F2}"),
    };

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
