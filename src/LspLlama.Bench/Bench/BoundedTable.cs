using System.Globalization;
using LspLlama.Core.Bench;

namespace LspLlama.Bench;

/// <summary>
/// The report's table for bounded syncs (<c>--max-sync-tokens</c>): each bounded replay beside its
/// exact one, with the tokens decoded inside a request (p50 to max, against the bound), the work
/// deferred to the background, all the work against the exact replay's, and how stale the
/// requests' context was.
/// </summary>
public static class BoundedTable
{
    /// <summary>All the work (foreground and background) a bounded replay may do against the exact one's.</summary>
    public const double MaxTotalToExact = 1.2;

    public static void Write(TextWriter w, BenchReport report)
    {
        if (report.Bounded is not { } bounded || !report.Policies.Any(p => ReplayRunner.IsBounded(p.Name, out _)))
        {
            return;
        }

        string idle = bounded.IdleTokens == int.MaxValue ? "a refresh runs to its end" : Inv($"a refresh decodes at most {bounded.IdleTokens:N0} tokens");
        w.WriteLine(Inv($"bounded syncs: at most {bounded.MaxSyncTokens:N0} tokens decoded inside a request; in each pause (after a request that more keystrokes on its line do not follow) {idle}"));
        string[] header = ["policy", "in request p50", "p95", "p99", "max", "background", "total", "x exact", "stale requests", "stale age p50 ms", "p95"];
        List<string[]> rows = [header];
        foreach (PolicyResult p in report.Policies)
        {
            if (!ReplayRunner.IsBounded(p.Name, out string basePolicy) && !report.Policies.Any(b => b.Name == ReplayRunner.Bounded(p.Name)))
            {
                continue;
            }

            double? toExact = ReplayRunner.IsBounded(p.Name, out _) && Exact(report, basePolicy) is { } exact && exact.TotalDecodedTokens > 0
                ? (double)p.TotalDecodedTokens / exact.TotalDecodedTokens
                : null;
            rows.Add([
                p.Name,
                Inv($"{p.DecodedPerSync.P50:N0}"),
                Inv($"{p.DecodedPerSync.P95:N0}"),
                Inv($"{p.DecodedPerSync.P99:N0}"),
                Inv($"{p.DecodedPerSync.Max:N0}"),
                Inv($"{p.Lag.BackgroundTokens:N0}"),
                Inv($"{p.TotalDecodedTokens:N0}"),
                toExact is double r ? Inv($"{r:F2}") : "",
                Inv($"{p.Lag.StaleRequests} of {p.Syncs} ({Share(p.Lag.StaleRequests, p.Syncs):P0})"),
                Inv($"{p.Lag.StaleAgeMs.P50:F0}"),
                Inv($"{p.Lag.StaleAgeMs.P95:F0}"),
            ]);
        }

        int[] widths = [.. Enumerable.Range(0, header.Length).Select(c => rows.Max(r => r[c].Length))];
        foreach (string[] row in rows)
        {
            w.WriteLine(string.Join("  ", row.Select((cell, c) => c == 0 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]))));
        }

        foreach (PolicyResult p in report.Policies.Where(p => ReplayRunner.IsBounded(p.Name, out _)))
        {
            _ = ReplayRunner.IsBounded(p.Name, out string basePolicy);
            Verdict(w, $"{p.Name} max in request", p.DecodedPerSync.Max, $"<= {bounded.MaxSyncTokens}", p.DecodedPerSync.Max <= bounded.MaxSyncTokens);
            if (Exact(report, basePolicy) is { TotalDecodedTokens: > 0 } exact)
            {
                double ratio = (double)p.TotalDecodedTokens / exact.TotalDecodedTokens;
                Verdict(w, $"{p.Name} total / exact", ratio, Inv($"<= {MaxTotalToExact:F2}"), ratio <= MaxTotalToExact);
            }
        }
    }

    private static PolicyResult? Exact(BenchReport report, string policy) => report.Policies.FirstOrDefault(p => p.Name == policy);

    private static double Share(int part, int whole) => whole == 0 ? 0 : (double)part / whole;

    private static void Verdict(TextWriter w, string label, double value, string target, bool met) =>
        w.WriteLine(Inv($"{label,-36} {value,10:N2}  target {target,-8} {(met ? "met" : "NOT met")}"));

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
