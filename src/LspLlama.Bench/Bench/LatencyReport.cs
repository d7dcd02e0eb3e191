using System.Globalization;
using System.Text.Json;
using LspLlama.Core.Bench;

namespace LspLlama.Bench;

/// <summary>The latency bench's figures: per policy, the median and p95 of the keystrokes the model answered.</summary>
public sealed record LatencyReport(string Model, int ContextSize, int Keystrokes, IReadOnlyList<LatencyRun> Runs)
{
    /// <summary>The issue's target: the p95 with checkpoints is at most a fifth of the one without.</summary>
    public const double TargetRatio = 0.2;

    public static Percentiles Latency(LatencyRun run) => Percentiles.Of(run.Samples.Where(s => !s.FromCache).Select(s => s.Ms));

    public static Percentiles Decoded(LatencyRun run) => Percentiles.Of(run.Samples.Where(s => !s.FromCache).Select(s => (double)s.DecodedTokens));

    /// <summary>p95 of the first policy over p95 of the last (checkpoints over none).</summary>
    public double P95Ratio => Latency(Runs[^1]).P95 > 0 ? Latency(Runs[0]).P95 / Latency(Runs[^1]).P95 : double.NaN;

    public bool TargetMet => P95Ratio <= TargetRatio;

    public void Print(TextWriter output)
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(c, $"latency from didChange to the inline completion result, {Keystrokes} keystrokes in the active document"));
        output.WriteLine(string.Create(c, $"model {Model}, context {ContextSize} tokens"));
        output.WriteLine(string.Create(c, $"{"policy",-10} {"memory",-9} {"plan tok",9} {"first ms",9} {"median ms",10} {"p95 ms",9} {"max ms",9} {"decoded p50",12} {"decoded p95",12} {"cache hits",11} {"RSS MiB start",14} {"peak",6}"));
        foreach (LatencyRun run in Runs)
        {
            Percentiles ms = Latency(run);
            Percentiles decoded = Decoded(run);
            output.WriteLine(string.Create(c,
                $"{run.Policy,-10} {run.MemoryKind,-9} {run.PlanTokens,9} {run.FirstMs,9:F0} {ms.P50,10:F1} {ms.P95,9:F1} {ms.Max,9:F1} {decoded.P50,12:F0} {decoded.P95,12:F0} {run.Samples.Count(s => s.FromCache),11} {Mib(run.StartRssBytes),14:F0} {Mib(run.PeakRssBytes),6:F0}"));
        }

        output.WriteLine(string.Create(c, $"p95 {Runs[0].Policy} / {Runs[^1].Policy} = {P95Ratio:F3} (target <= {TargetRatio:F2}): {(TargetMet ? "met" : "NOT met")}"));
    }

    private static double Mib(long bytes) => bytes / (1024.0 * 1024.0);

    public void WriteJson(string path)
    {
        var document = new
        {
            model = Model,
            contextSize = ContextSize,
            keystrokes = Keystrokes,
            p95Ratio = P95Ratio,
            targetRatio = TargetRatio,
            targetMet = TargetMet,
            runs = Runs.Select(r => new
            {
                policy = r.Policy,
                memoryKind = r.MemoryKind,
                planTokens = r.PlanTokens,
                firstMs = r.FirstMs,
                medianMs = Latency(r).P50,
                p95Ms = Latency(r).P95,
                maxMs = Latency(r).Max,
                startRssBytes = r.StartRssBytes,
                peakRssBytes = r.PeakRssBytes,
                decodedMedian = Decoded(r).P50,
                decodedP95 = Decoded(r).P95,
                cacheHits = r.Samples.Count(s => s.FromCache),
                samples = r.Samples.Select(s => new { ms = s.Ms, decoded = s.DecodedTokens, ideal = s.IdealTokens, restoredFrom = s.RestoredFrom, fromCache = s.FromCache }),
            }),
        };
        File.WriteAllText(path, JsonSerializer.Serialize(document, s_json));
    }

    private static readonly JsonSerializerOptions s_json = new() { WriteIndented = true };
}
