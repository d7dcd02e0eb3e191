using System.Globalization;
using LspLlama.Core.Bench;

namespace LspLlama.Bench;

/// <summary>
/// The remote bench's verdict, under the policies' table: decoded tokens of each engine and layout
/// side by side, and the acceptance (LspLlama's layout at least 5 × fewer than /infill's).
/// </summary>
public static class RemoteBenchReport
{
    public const double MinTimesFewerThanInfill = 5;

    public static void Write(TextWriter w, BenchReport report)
    {
        PolicyResult? local = Find(report, RemoteReplayFactory.InProcess);
        PolicyResult? remote = Find(report, RemoteReplayFactory.RemoteLayout);
        PolicyResult? placed = Find(report, RemoteReplayFactory.RemotePlaced);
        PolicyResult? infill = Find(report, RemoteReplayFactory.InfillLayout);
        w.WriteLine("decoded prompt tokens (remote rows: the server's timings.prompt_n)");
        foreach (PolicyResult? p in new[] { local, remote, placed, infill })
        {
            if (p is not null)
            {
                w.WriteLine(Inv($"  {p.Name,-16} {p.DecodedTokens,10:N0} in {p.Syncs} requests, {p.FullReprocesses} from position 0, {p.CacheHits} answered by the cache"));
            }
        }

        if (remote is not null && infill is not null)
        {
            double ratio = (double)infill.DecodedTokens / Math.Max(1, remote.DecodedTokens);
            string verdict = ratio >= MinTimesFewerThanInfill ? "met" : "NOT met";
            w.WriteLine(Inv($"/infill layout decoded / LspLlama's layout: {ratio:F2} x fewer (target >= {MinTimesFewerThanInfill:F0}: {verdict})"));
        }

        if (remote is not null && placed is not null)
        {
            w.WriteLine(Inv($"checkpoints placed at segment starts / the server's own: {(double)placed.DecodedTokens / Math.Max(1, remote.DecodedTokens):F2} x"));
        }

        if (remote is not null && local is not null)
        {
            w.WriteLine(Inv($"remote decoded / in-process (same layout): {(double)remote.DecodedTokens / Math.Max(1, local.DecodedTokens):F2} x"));
        }
    }

    private static PolicyResult? Find(BenchReport report, string name) => report.Policies.FirstOrDefault(p => p.Name == name);

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
