using System.Text.Json;
using LspLlama.Core.Bench;

namespace LspLlama.Bench;

/// <summary>
/// The bench's `--json FILE` output, in the shape the issue fixes:
/// <c>{"model":{...},"trace":{...},"policies":[{"name","decodedTokens","idealTokens","syncs",
/// "decodedPerSync":{"p50","p95"},"syncMs":{"p50","p95"},"checkpointPeakBytes","fullReprocesses","cacheHits"}]}</c>.
/// Policy objects carry exactly those keys so scripts can rely on them; the model and trace objects
/// describe the run and may grow.
/// </summary>
public static class ReportJson
{
    public static void Write(string path, BenchReport report)
    {
        using FileStream stream = new(path, FileMode.Create, FileAccess.Write);
        Write(stream, report);
    }

    public static void Write(Stream stream, BenchReport report)
    {
        using Utf8JsonWriter w = new(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();

        w.WriteStartObject("model");
        w.WriteString("path", report.Model.Path);
        w.WriteString("architecture", report.Model.Architecture);
        w.WriteString("memoryKind", report.Model.MemoryKind);
        w.WriteNumber("contextSize", report.Model.ContextSize);
        w.WriteNumber("batchSize", report.Model.BatchSize);
        w.WriteNumber("ubatchSize", report.Model.UbatchSize);
        w.WriteBoolean("generated", report.Model.Generated);
        w.WriteNumber("generatedPerSync", report.Model.GeneratedPerSync);
        w.WriteString("layout", report.Model.Layout);
        w.WriteEndObject();

        BenchTraceInfo t = report.Trace;
        w.WriteStartObject("trace");
        w.WriteString("source", t.Source == TraceSource.Generated ? "generated" : "recorded");
        w.WriteString("workspace", t.Workspace);
        if (t.Seed is int seed)
        {
            w.WriteNumber("seed", seed);
        }
        else
        {
            w.WriteNull("seed");
        }

        if (t.RecencyDecay is double decay)
        {
            w.WriteNumber("recencyDecay", decay);
        }

        w.WriteNumber("events", t.Events);
        w.WriteNumber("syncs", t.Syncs);
        w.WriteNumber("files", t.Files);
        w.WriteNumber("contextTokens", t.MaxContextTokens);
        w.WriteStartObject("mix");
        w.WriteNumber("keystrokes", t.Mix.Keystrokes);
        w.WriteNumber("newlines", t.Mix.Newlines);
        w.WriteNumber("deletions", t.Mix.Deletions);
        w.WriteNumber("pastes", t.Mix.Pastes);
        w.WriteNumber("otherFileEdits", t.Mix.OtherFileEdits);
        w.WriteNumber("jumps", t.Mix.Jumps);
        w.WriteNumber("switches", t.Mix.Switches);
        w.WriteNumber("closes", t.Mix.Closes);
        w.WriteNumber("reopens", t.Mix.Reopens);
        w.WriteEndObject();
        w.WriteEndObject();

        w.WriteStartArray("policies");
        foreach (PolicyResult p in report.Policies)
        {
            w.WriteStartObject();
            w.WriteString("name", p.Name);
            w.WriteNumber("decodedTokens", p.DecodedTokens);
            w.WriteNumber("idealTokens", p.IdealTokens);
            w.WriteNumber("syncs", p.Syncs);
            WritePercentiles(w, "decodedPerSync", p.DecodedPerSync);
            WritePercentiles(w, "syncMs", p.SyncMs);
            w.WriteNumber("checkpointPeakBytes", p.CheckpointPeakBytes);
            w.WriteNumber("fullReprocesses", p.FullReprocesses);
            w.WriteNumber("cacheHits", p.CacheHits);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WritePercentiles(Utf8JsonWriter w, string name, Percentiles p)
    {
        w.WriteStartObject(name);
        w.WriteNumber("p50", Math.Round(p.P50, 3));
        w.WriteNumber("p95", Math.Round(p.P95, 3));
        w.WriteEndObject();
    }
}
