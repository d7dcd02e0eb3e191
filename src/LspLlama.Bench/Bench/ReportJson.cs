using System.Text.Json;
using LspLlama.Core.Bench;

namespace LspLlama.Bench;

/// <summary>
/// The bench's `--json FILE` output, in the shape the issue fixes:
/// <c>{"model":{...},"trace":{...},"policies":[{"name","decodedTokens","idealTokens","syncs",
/// "decodedPerSync":{"p50","p95","p99","max"},"syncMs":{…},"checkpointPeakBytes","fullReprocesses","cacheHits",
/// "checkpoints":{…},"lag":{…}}],"copyBytesPerSecond","bounded":{…}}</c> (<c>lag</c> and <c>bounded</c> only with <c>--max-sync-tokens</c>).
/// Policy objects carry those keys so scripts can rely on them (<c>checkpoints</c> holds what they
/// copied, evicted and read back from disk, with the peaks); the model and trace objects describe
/// the run and may grow.
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
        if (report.Model.Like is string like)
        {
            w.WriteString("like", like);
        }

        // What the peak RSS is judged against, with checkpoints.startRssBytes.
        w.WriteNumber("fileBytes", report.Model.FileBytes);
        w.WriteNumber("checkpointBudgetBytes", report.Model.CheckpointBudgetBytes);
        w.WriteNumber("diskTierBytes", report.Model.DiskTierBytes);
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
            if (p.Checkpoints is { } c)
            {
                WriteCheckpoints(w, c);
            }

            if (report.Bounded is not null)
            {
                w.WriteStartObject("lag");
                w.WriteNumber("backgroundTokens", p.Lag.BackgroundTokens);
                w.WriteNumber("totalDecodedTokens", p.TotalDecodedTokens);
                w.WriteNumber("staleRequests", p.Lag.StaleRequests);
                WritePercentiles(w, "staleAgeMs", p.Lag.StaleAgeMs);
                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        if (report.CopyBytesPerSecond is double copy)
        {
            w.WriteNumber("copyBytesPerSecond", Math.Round(copy));
        }

        if (report.FirstTouchBytesPerSecond is double firstTouch)
        {
            w.WriteNumber("firstTouchBytesPerSecond", Math.Round(firstTouch));
        }

        if (report.Bounded is { } bounded)
        {
            w.WriteStartObject("bounded");
            w.WriteNumber("maxSyncTokens", bounded.MaxSyncTokens);
            w.WriteNumber("idleTokens", bounded.IdleTokens);
            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    private static void WriteCheckpoints(Utf8JsonWriter w, CheckpointFigures c)
    {
        w.WriteStartObject("checkpoints");
        w.WriteNumber("saves", c.Saves);
        w.WriteNumber("restores", c.Restores);
        w.WriteNumber("bytesSaved", c.BytesSaved);
        w.WriteNumber("bytesRestored", c.BytesRestored);
        w.WriteNumber("saveMs", Math.Round(c.SaveMs, 3));
        w.WriteNumber("restoreMs", Math.Round(c.RestoreMs, 3));
        WriteRate(w, "saveBytesPerSecond", c.SaveBytesPerSecond);
        w.WriteNumber("freshBytesSaved", c.FreshBytesSaved);
        w.WriteNumber("freshSaveMs", Math.Round(c.FreshSaveMs, 3));
        WriteRate(w, "warmSaveBytesPerSecond", c.WarmSaveBytesPerSecond);
        WriteRate(w, "freshSaveBytesPerSecond", c.FreshSaveBytesPerSecond);
        WriteRate(w, "restoreBytesPerSecond", c.RestoreBytesPerSecond);
        WritePercentiles(w, "bytesCopiedPerSync", c.BytesCopiedPerSync);
        w.WriteNumber("keystrokeSyncs", c.KeystrokeSyncs);
        WritePercentiles(w, "keystrokeBytesCopied", c.KeystrokeBytesCopied);
        WritePercentiles(w, "keystrokeSyncMs", c.KeystrokeSyncMs);
        WritePercentiles(w, "keystrokeDecodeMs", c.KeystrokeDecodeMs);
        w.WriteNumber("evictions", c.Evictions);
        w.WriteNumber("spilled", c.Spilled);
        w.WriteNumber("diskRestores", c.DiskRestores);
        w.WriteNumber("diskBytesRead", c.DiskBytesRead);
        w.WriteNumber("diskReadMs", Math.Round(c.DiskReadMs, 3));
        w.WriteNumber("diskTokensSpared", c.DiskTokensSpared);
        w.WriteNumber("checkpointSize", c.CheckpointSize);
        w.WriteNumber("peakCheckpointBytes", c.PeakCheckpointBytes);
        w.WriteNumber("peakRssBytes", c.PeakRssBytes);
        w.WriteNumber("startRssBytes", c.StartRssBytes);
        w.WriteEndObject();
    }

    private static void WriteRate(Utf8JsonWriter w, string name, double? rate)
    {
        if (rate is double r)
        {
            w.WriteNumber(name, Math.Round(r));
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static void WritePercentiles(Utf8JsonWriter w, string name, Percentiles p)
    {
        w.WriteStartObject(name);
        w.WriteNumber("p50", Math.Round(p.P50, 3));
        w.WriteNumber("p95", Math.Round(p.P95, 3));
        w.WriteNumber("p99", Math.Round(p.P99, 3));
        w.WriteNumber("max", Math.Round(p.Max, 3));
        w.WriteEndObject();
    }
}
