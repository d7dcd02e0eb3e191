using System.Globalization;
using System.Text.Json;

namespace LspLlama.Bench;

/// <summary>The planning benchmark's table (stdout) and `--json FILE` output.</summary>
public static class PlanBenchReport
{
    public const double TargetP50Micros = 1000;
    public const double TargetP99Micros = 5000;

    public static bool MeetsTargets(PlanBenchResult r) => r.MicrosP50 < TargetP50Micros && r.MicrosP99 < TargetP99Micros && r.Exact;

    public static void WriteTable(TextWriter w, string tokenizer, int files, int tokens, IReadOnlyList<PlanBenchResult> results)
    {
        w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"plan bench: {files} files, {tokens} tokens, tokenizer {tokenizer}"));
        w.WriteLine("layout  suffix  keys   plan-tok   p50-us   p99-us   max-us  alloc-B/key  redecode-p50  redecode-p99  tok-chars/key  exact  targets");
        foreach (PlanBenchResult r in results)
        {
            w.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Layout,-7} {r.SuffixLines,6} {r.Keystrokes,5} {r.PlanTokens,10} {r.MicrosP50,8:F1} {r.MicrosP99,8:F1} {r.MicrosMax,8:F1} {r.AllocatedBytesMean,12:F0} {r.RedecodeP50,13:F0} {r.RedecodeP99,13:F0} {r.TokenizedCharsPerKeystroke,14:F1}  {(r.Exact ? "yes" : "NO"),5}  {(MeetsTargets(r) ? "met" : "MISSED")}"));
            w.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  thread CPU time per keystroke: p50 {r.CpuMicrosP50:F1} us, p99 {r.CpuMicrosP99:F1} us (wall-clock minus time waiting for a core)"));
            foreach (PlanBenchKind k in r.Kinds)
            {
                w.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {k.Kind,-16} {k.Count,5} steps   p50 {k.MicrosP50,8:F1} us   p99 {k.MicrosP99,8:F1} us   redecode-p50 {k.RedecodeP50,7:F0}"));
            }
        }

        w.WriteLine("targets: p50 < 1 ms and p99 < 5 ms per keystroke (apply edit, re-tokenize, re-plan, first changed token).");
        w.WriteLine("redecode: planned tokens from the first changed one to the end, i.e. the ideal the model session must decode again.");
    }

    public static void WriteJson(string path, string tokenizer, int files, int tokens, IReadOnlyList<PlanBenchResult> results)
    {
        using FileStream stream = new(path, FileMode.Create, FileAccess.Write);
        using Utf8JsonWriter w = new(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("tokenizer", tokenizer);
        w.WriteNumber("files", files);
        w.WriteNumber("tokens", tokens);
        w.WriteStartObject("targets");
        w.WriteNumber("p50Micros", TargetP50Micros);
        w.WriteNumber("p99Micros", TargetP99Micros);
        w.WriteEndObject();
        w.WriteStartArray("layouts");
        foreach (PlanBenchResult r in results)
        {
            w.WriteStartObject();
            w.WriteString("layout", r.Layout.ToString().ToLowerInvariant());
            w.WriteNumber("suffixLines", r.SuffixLines);
            w.WriteNumber("keystrokes", r.Keystrokes);
            w.WriteNumber("planTokens", r.PlanTokens);
            w.WriteStartObject("micros");
            w.WriteNumber("p50", Math.Round(r.MicrosP50, 2));
            w.WriteNumber("p99", Math.Round(r.MicrosP99, 2));
            w.WriteNumber("max", Math.Round(r.MicrosMax, 2));
            w.WriteEndObject();
            w.WriteStartObject("cpuMicros");
            w.WriteNumber("p50", double.IsNaN(r.CpuMicrosP50) ? -1 : r.CpuMicrosP50);
            w.WriteNumber("p99", double.IsNaN(r.CpuMicrosP99) ? -1 : r.CpuMicrosP99);
            w.WriteEndObject();
            w.WriteStartObject("allocatedBytesPerKeystroke");
            w.WriteNumber("mean", Math.Round(r.AllocatedBytesMean));
            w.WriteNumber("p50", r.AllocatedBytesP50);
            w.WriteEndObject();
            w.WriteStartObject("redecodedTokens");
            w.WriteNumber("p50", r.RedecodeP50);
            w.WriteNumber("p99", r.RedecodeP99);
            w.WriteEndObject();
            w.WriteNumber("tokenizedCharsPerKeystroke", Math.Round(r.TokenizedCharsPerKeystroke, 1));
            w.WriteBoolean("exact", r.Exact);
            w.WriteBoolean("targetsMet", MeetsTargets(r));
            w.WriteStartArray("kinds");
            foreach (PlanBenchKind k in r.Kinds)
            {
                w.WriteStartObject();
                w.WriteString("kind", k.Kind);
                w.WriteNumber("count", k.Count);
                w.WriteNumber("p50Micros", Math.Round(k.MicrosP50, 2));
                w.WriteNumber("p99Micros", Math.Round(k.MicrosP99, 2));
                w.WriteNumber("redecodeP50", k.RedecodeP50);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }
}
