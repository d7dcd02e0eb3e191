using System.Text.Json;
using LspLlama.Bench;
using LspLlama.Core.Bench;
using Xunit;

namespace LspLlama.Tests.Bench;

public sealed class ReportTests
{
    private const int Ckpt = 16 << 20;

    private static BenchReport Sample()
    {
        PolicyResult Policy(string name, long decoded, double ms, bool full)
        {
            PolicyTally t = new(name);
            // One 16 MiB save and one restore per sync, at 1 GB/s and 2 GB/s.
            var traffic = new LspLlama.Core.Session.CheckpointTraffic(1, Ckpt, Ckpt, 1, 0, 0, 0, TimeSpan.Zero, 0);
            double copyMs = Ckpt / 1e6;
            // The first sync's save went into a new buffer (the budget filling up), at the same rate.
            var fresh = traffic with { FreshBytesSaved = Ckpt, FreshSaving = TimeSpan.FromMilliseconds(copyMs) };
            t.Add(new SyncCost(decoded, 100, ms, 3 * 1024 * 1024, 40_000, full, ms / 2, copyMs, copyMs / 2, 1, fresh, Keystroke: true));
            t.Add(new SyncCost(decoded / 2, 50, ms / 2, 1024, 40_010, false, ms / 4, copyMs, copyMs / 2, 1, traffic));
            return t.ToResult(peakCheckpointBytes: 4 << 20, rss: new ReplayResidentMemory(300 << 20, 100 << 20));
        }

        EditTrace trace = new TraceGenerator([new SourceFile("file:///w/a.cs", "csharp", "class A { }\n")], new TraceGeneratorOptions(Syncs: 2)).Generate("/w");
        return new BenchReport(
            new BenchModelInfo("/m/tiny.gguf", "granitehybrid", "hybrid", 65_536, 512, 512, Generated: true),
            BenchTraceInfo.Of(trace, 40_010),
            [Policy("none", 40_000, 900, true), Policy("end-only", 30_000, 700, true), Policy("interval", 800, 30, false), Policy("lspllama", 104, 9, false)])
        {
            CopyBytesPerSecond = 4e9,
            FirstTouchBytesPerSecond = 2e9,
        };
    }

    [Fact]
    public void The_json_has_exactly_the_shape_of_the_issue()
    {
        MemoryStream buffer = new();
        ReportJson.Write(buffer, Sample());
        using JsonDocument doc = JsonDocument.Parse(buffer.ToArray());
        JsonElement root = doc.RootElement;

        Assert.Equal(["model", "trace", "policies", "copyBytesPerSecond", "firstTouchBytesPerSecond"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(4e9, root.GetProperty("copyBytesPerSecond").GetDouble());
        Assert.Equal("granitehybrid", root.GetProperty("model").GetProperty("architecture").GetString());
        Assert.Equal(40_010, root.GetProperty("trace").GetProperty("contextTokens").GetInt32());
        Assert.Equal(2, root.GetProperty("trace").GetProperty("syncs").GetInt32());

        JsonElement[] policies = [.. root.GetProperty("policies").EnumerateArray()];
        Assert.Equal(["none", "end-only", "interval", "lspllama"], policies.Select(p => p.GetProperty("name").GetString()));
        foreach (JsonElement p in policies)
        {
            Assert.Equal(
                ["name", "decodedTokens", "idealTokens", "syncs", "decodedPerSync", "syncMs", "checkpointPeakBytes", "fullReprocesses", "cacheHits", "checkpoints"],
                p.EnumerateObject().Select(x => x.Name));
            Assert.Equal(["p50", "p95", "p99", "max"], p.GetProperty("decodedPerSync").EnumerateObject().Select(x => x.Name));
            Assert.Equal(["p50", "p95", "p99", "max"], p.GetProperty("syncMs").EnumerateObject().Select(x => x.Name));
            JsonElement c = p.GetProperty("checkpoints");
            Assert.Equal((2, 2, 2L * Ckpt), (c.GetProperty("saves").GetInt32(), c.GetProperty("restores").GetInt32(), c.GetProperty("bytesSaved").GetInt64()));
            Assert.Equal(1e9, c.GetProperty("saveBytesPerSecond").GetDouble(), 1e6);
            Assert.Equal(2e9, c.GetProperty("restoreBytesPerSecond").GetDouble(), 1e6);
            Assert.Equal((long)Ckpt, c.GetProperty("freshBytesSaved").GetInt64());
            Assert.Equal(1e9, c.GetProperty("warmSaveBytesPerSecond").GetDouble(), 1e6);
            Assert.Equal(1e9, c.GetProperty("freshSaveBytesPerSecond").GetDouble(), 1e6);
            Assert.Equal(2L * Ckpt, c.GetProperty("bytesCopiedPerSync").GetProperty("p50").GetDouble());
            Assert.Equal(1, c.GetProperty("keystrokeSyncs").GetInt32());
            Assert.Equal((2, (long)Ckpt), (c.GetProperty("evictions").GetInt32(), c.GetProperty("checkpointSize").GetInt64()));
            Assert.Equal((4L << 20, 300L << 20, 100L << 20), (c.GetProperty("peakCheckpointBytes").GetInt64(), c.GetProperty("peakRssBytes").GetInt64(), c.GetProperty("startRssBytes").GetInt64()));
        }

        JsonElement none = policies[0];
        Assert.Equal(60_000, none.GetProperty("decodedTokens").GetInt64());
        Assert.Equal(150, none.GetProperty("idealTokens").GetInt64());
        Assert.Equal(2, none.GetProperty("syncs").GetInt32());
        Assert.Equal(30_000, none.GetProperty("decodedPerSync").GetProperty("p50").GetDouble());
        Assert.Equal(877.5, none.GetProperty("syncMs").GetProperty("p95").GetDouble());
        Assert.Equal(4 * 1024 * 1024, none.GetProperty("checkpointPeakBytes").GetInt64());
        Assert.Equal(1, none.GetProperty("fullReprocesses").GetInt32());
    }

    [Fact]
    public void The_table_has_a_row_per_policy_and_prints_the_acceptance_ratios()
    {
        StringWriter w = new();
        ReportTable.Write(w, Sample(), minTimesFewer: 5);
        string text = w.ToString();
        string[] lines = text.Split('\n');

        // The policies' table comes first, then the checkpoints' table with a row per policy too.
        string lspllama = lines.First(l => l.StartsWith("lspllama ", StringComparison.Ordinal));
        Assert.Contains(" 156 ", lspllama, StringComparison.Ordinal);
        Assert.Contains(" 1.04 ", lspllama, StringComparison.Ordinal);
        Assert.Contains(" 4.0 ", lines.First(l => l.StartsWith("none ", StringComparison.Ordinal)), StringComparison.Ordinal);

        Assert.Contains("memory copy (one thread, this run): 4.00 GB/s", text, StringComparison.Ordinal);
        string checkpoints = lines.Where(l => l.StartsWith("lspllama ", StringComparison.Ordinal)).ElementAt(1);
        Assert.Matches(@"^lspllama\s+2\s+2\s+0\s+32\.0\s+32\.0\s+32\.0\s+1\.00 \(25%\)\s+2\.00 \(50%\)\s+2\s+0\s+4\.0\s+300", checkpoints);
        Assert.Matches(@"lspllama: 1 keystroke syncs, sync ms p50 9\.0 \(decode 4\.5\), 32\.0 MiB copied p50; floor \(decode p50 \+ one 16 MiB restore at the copy bandwidth\) 8\.7 ms", text);

        // Our policy's checkpoint targets: two copies per keystroke, a save at a quarter of the copy bandwidth.
        Assert.Matches(@"keystroke copies / checkpoint\s+2\.00\s+target <= 1\s+NOT met", text);
        Assert.Matches(@"ckpt peak / budget\s+n/a", text);
        Assert.Matches(@"save GB/s / memory copy\s+0\.25\s+target >= 0\.5\s+NOT met", text);
        Assert.Matches(@"restore GB/s / memory copy\s+0\.50\s+target >= 0\.5\s+met", text);
        Assert.Matches(@"new-buffer save / new memory\s+0\.50\s+target >= 0\.5\s+met", text);
        Assert.Contains("lspllama: 16 MiB saved into new buffers (the budget filling up) in 17 ms, 1.00 GB/s", text, StringComparison.Ordinal);
        Assert.Contains("memory copy (one thread, this run): 4.00 GB/s; into new memory (its pages faulted in by the copy) 2.00 GB/s", text, StringComparison.Ordinal);
        Assert.Matches(@"keystroke sync / end-only's\s+0\.01\s+target < 1\s+met", text);
        Assert.Matches(@"keystroke sync / its floor\s+1\.04\s+target <= 1\.2\s+met", text);
        // Peak RSS against the process at the start (100 MiB) + model file (0 here) + budget (none).
        Assert.Matches(@"peak RSS / its bound\s+3\.00\s+target <= 1\.15\s+NOT met", text);
        Assert.Contains("its bound: 100 MiB resident at the start (runtime, context) + 0 MiB model file + 0 MiB budget; peak 300 MiB", text, StringComparison.Ordinal);

        Assert.Matches(@"lspllama decoded / ideal\s+1\.04 x\s+target <= 1\.10\s+met", text);
        Assert.Matches(@"none decoded / lspllama\s+384\.62 x fewer\s+target >= 5\s+met", text);
        // The end-only target is withdrawn: the figure alone, no target and no verdict.
        Assert.Matches(@"end-only decoded / lspllama\s+288\.46 x fewer\r?\n", text);
        Assert.DoesNotContain("target", Assert.Single(lines, l => l.StartsWith("end-only decoded", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Matches(@"sync time lspllama / none\s+0\.01\s+target <= 0\.33\s+met", text);
    }

    [Fact]
    public void A_missing_policy_is_shown_as_not_run_and_a_missed_target_as_not_met()
    {
        PolicyTally t = new("lspllama");
        t.Add(new SyncCost(300, 100, 1, 0, 10, false));
        StringWriter w = new();
        ReportTable.WriteAcceptance(w, BenchAcceptance.Of([t.ToResult()]), 3);
        string text = w.ToString();
        Assert.Matches(@"lspllama decoded / ideal\s+3\.00 x\s+target <= 1\.10\s+NOT met", text);
        Assert.Contains("n/a (policy not run)", text, StringComparison.Ordinal);
    }
}
