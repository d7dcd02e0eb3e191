using System.Text.Json;
using LspLlama.Bench;
using LspLlama.Core.Bench;
using Xunit;

namespace LspLlama.Tests.Bench;

public sealed class ReportTests
{
    private static BenchReport Sample()
    {
        PolicyResult Policy(string name, long decoded, double ms, bool full)
        {
            PolicyTally t = new(name);
            t.Add(new SyncCost(decoded, 100, ms, 3 * 1024 * 1024, 40_000, full));
            t.Add(new SyncCost(decoded / 2, 50, ms / 2, 1024, 40_010, false));
            return t.ToResult();
        }

        EditTrace trace = new TraceGenerator([new SourceFile("file:///w/a.cs", "csharp", "class A { }\n")], new TraceGeneratorOptions(Syncs: 2)).Generate("/w");
        return new BenchReport(
            new BenchModelInfo("/m/tiny.gguf", "granitehybrid", "hybrid", 65_536, 512, 512, Generated: true),
            BenchTraceInfo.Of(trace, 40_010),
            [Policy("none", 40_000, 900, true), Policy("end-only", 30_000, 700, true), Policy("interval", 800, 30, false), Policy("lspllama", 104, 9, false)]);
    }

    [Fact]
    public void The_json_has_exactly_the_shape_of_the_issue()
    {
        MemoryStream buffer = new();
        ReportJson.Write(buffer, Sample());
        using JsonDocument doc = JsonDocument.Parse(buffer.ToArray());
        JsonElement root = doc.RootElement;

        Assert.Equal(["model", "trace", "policies"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("granitehybrid", root.GetProperty("model").GetProperty("architecture").GetString());
        Assert.Equal(40_010, root.GetProperty("trace").GetProperty("contextTokens").GetInt32());
        Assert.Equal(2, root.GetProperty("trace").GetProperty("syncs").GetInt32());

        JsonElement[] policies = [.. root.GetProperty("policies").EnumerateArray()];
        Assert.Equal(["none", "end-only", "interval", "lspllama"], policies.Select(p => p.GetProperty("name").GetString()));
        foreach (JsonElement p in policies)
        {
            Assert.Equal(
                ["name", "decodedTokens", "idealTokens", "syncs", "decodedPerSync", "syncMs", "checkpointPeakBytes", "fullReprocesses", "cacheHits"],
                p.EnumerateObject().Select(x => x.Name));
            Assert.Equal(["p50", "p95"], p.GetProperty("decodedPerSync").EnumerateObject().Select(x => x.Name));
            Assert.Equal(["p50", "p95"], p.GetProperty("syncMs").EnumerateObject().Select(x => x.Name));
        }

        JsonElement none = policies[0];
        Assert.Equal(60_000, none.GetProperty("decodedTokens").GetInt64());
        Assert.Equal(150, none.GetProperty("idealTokens").GetInt64());
        Assert.Equal(2, none.GetProperty("syncs").GetInt32());
        Assert.Equal(30_000, none.GetProperty("decodedPerSync").GetProperty("p50").GetDouble());
        Assert.Equal(877.5, none.GetProperty("syncMs").GetProperty("p95").GetDouble());
        Assert.Equal(3 * 1024 * 1024, none.GetProperty("checkpointPeakBytes").GetInt64());
        Assert.Equal(1, none.GetProperty("fullReprocesses").GetInt32());
    }

    [Fact]
    public void The_table_has_a_row_per_policy_and_prints_the_acceptance_ratios()
    {
        StringWriter w = new();
        ReportTable.Write(w, Sample(), minTimesFewer: 5);
        string text = w.ToString();
        string[] lines = text.Split('\n');

        string lspllama = Assert.Single(lines, l => l.StartsWith("lspllama ", StringComparison.Ordinal) && !l.Contains('/', StringComparison.Ordinal));
        Assert.Contains(" 156 ", lspllama, StringComparison.Ordinal);
        Assert.Contains(" 1.04 ", lspllama, StringComparison.Ordinal);
        Assert.Contains(" 3.0 ", Assert.Single(lines, l => l.StartsWith("none ", StringComparison.Ordinal) && !l.Contains('/', StringComparison.Ordinal)), StringComparison.Ordinal);

        Assert.Matches(@"lspllama decoded / ideal\s+1\.04 x\s+target <= 1\.10\s+met", text);
        Assert.Matches(@"none decoded / lspllama\s+384\.62 x fewer\s+target >= 5\s+met", text);
        Assert.Matches(@"end-only decoded / lspllama\s+288\.46 x fewer", text);
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
