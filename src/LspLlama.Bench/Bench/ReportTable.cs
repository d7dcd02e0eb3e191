using System.Globalization;
using LspLlama.Core.Bench;

namespace LspLlama.Bench;

/// <summary>The bench's printed report: one row per policy, then the acceptance ratios.</summary>
public static class ReportTable
{
    public static void Write(TextWriter w, BenchReport report, double minTimesFewer)
    {
        BenchModelInfo m = report.Model;
        BenchTraceInfo t = report.Trace;
        w.WriteLine(Inv($"model  {m.Architecture} ({m.MemoryKind}) {m.Path}{(m.Like is string like ? $" [like {like}]" : m.Generated ? " [tiny, generated]" : "")}; n_ctx {m.ContextSize}, n_batch {m.BatchSize}, n_ubatch {m.UbatchSize}, {m.GeneratedPerSync} tokens generated after each sync"));
        if (m.CheckpointBudgetBytes > 0)
        {
            w.WriteLine(Inv($"       {m.FileBytes / (1024.0 * 1024.0):F0} MiB file; checkpoint budget {m.CheckpointBudgetBytes / (1024.0 * 1024.0):F0} MiB, disk tier {(m.DiskTierBytes > 0 ? $"{m.DiskTierBytes / (1024.0 * 1024.0):F0} MiB (lspllama only)" : "off")}"));
        }
        w.WriteLine(Inv($"layout {m.Layout}"));
        w.WriteLine(Inv($"trace  {(t.Source == TraceSource.Generated ? $"generated, seed {t.Seed}, recency decay {t.RecencyDecay}" : "recorded")} from {t.Workspace}: {t.Syncs} syncs, {t.Events} events, {t.Files} files, context up to {t.MaxContextTokens} tokens"));
        w.WriteLine(Inv($"       {t.Mix.Keystrokes} keystrokes, {t.Mix.Newlines} new lines, {t.Mix.Deletions} deletions, {t.Mix.Pastes} pastes, {t.Mix.OtherFileEdits} edits in other files, {t.Mix.Jumps} jumps, {t.Mix.Switches} file switches, {t.Mix.Closes} closes, {t.Mix.Reopens} re-opens"));
        w.WriteLine();

        string[] header = ["policy", "decoded", "ideal", "x ideal", "decoded/sync p50", "p95", "sync ms p50", "p95", "total s", "ckpt peak MiB", "full re-proc", "cache hits"];
        List<string[]> rows = [header];
        foreach (PolicyResult p in report.Policies)
        {
            // A bounded replay's prompts are not the exact plan, so its ideal is not comparable;
            // its decoded tokens include the background refresh (the bounded table splits them).
            bool bounded = ReplayRunner.IsBounded(p.Name, out _);
            rows.Add([
                p.Name,
                Inv($"{p.TotalDecodedTokens:N0}"),
                bounded ? "-" : Inv($"{p.IdealTokens:N0}"),
                bounded ? "-" : Inv($"{p.RatioToIdeal:F2}"),
                Inv($"{p.DecodedPerSync.P50:N0}"),
                Inv($"{p.DecodedPerSync.P95:N0}"),
                Inv($"{p.SyncMs.P50:F1}"),
                Inv($"{p.SyncMs.P95:F1}"),
                Inv($"{p.TotalSyncMs / 1000:F1}"),
                Inv($"{p.CheckpointPeakBytes / (1024.0 * 1024.0):F1}"),
                Inv($"{p.FullReprocesses}"),
                Inv($"{p.CacheHits}"),
            ]);
        }

        int[] widths = [.. Enumerable.Range(0, header.Length).Select(c => rows.Max(r => r[c].Length))];
        foreach (string[] row in rows)
        {
            // The policy name is left-aligned, the figures right-aligned.
            w.WriteLine(string.Join("  ", row.Select((cell, c) => c == 0 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]))));
        }

        if (report.Bounded is not null)
        {
            w.WriteLine();
            BoundedTable.Write(w, report);
        }

        w.WriteLine();
        CheckpointTable.Write(w, report);
        w.WriteLine();
        CheckpointTable.WriteAcceptance(w, report);
        w.WriteLine();
        WriteAcceptance(w, report.Acceptance, minTimesFewer);
    }

    public static void WriteAcceptance(TextWriter w, BenchAcceptance a, double minTimesFewer)
    {
        Line(w, "lspllama decoded / ideal", a.LspllamaToIdeal, "x", $"<= {BenchAcceptance.MaxToIdeal:F2}", a.LspllamaToIdeal <= BenchAcceptance.MaxToIdeal);
        Line(w, "none decoded / lspllama", a.NoneToLspllama, "x fewer", $">= {minTimesFewer:F0}", a.NoneToLspllama >= minTimesFewer);
        // Printed as a figure only, like the policies' rows: its target was withdrawn (llama-server's
        // end-only checkpoint is a comparison, not a goal), and a "NOT met" read as a broken bench.
        Line(w, "end-only decoded / lspllama", a.EndOnlyToLspllama, "x fewer", target: null, met: true);
        Line(w, "sync time lspllama / none", a.SyncTimeLspllamaToNone, "", $"<= {BenchAcceptance.MaxTimeFraction:F2}", a.SyncTimeLspllamaToNone <= BenchAcceptance.MaxTimeFraction);
    }

    private static void Line(TextWriter w, string label, double? value, string unit, string? target, bool met)
    {
        string figure = value is double v ? Inv($"{v,8:F2} {unit}") : "     n/a (policy not run)";
        if (target is null)
        {
            w.WriteLine(Inv($"{label,-28} {figure}").TrimEnd());
            return;
        }

        string verdict = value is null ? "" : met ? "met" : "NOT met";
        w.WriteLine(Inv($"{label,-28} {figure,-18} target {target,-8} {verdict}"));
    }

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
