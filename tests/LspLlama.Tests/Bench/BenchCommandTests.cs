using LspLlama.Traces;
using LspLlama.Bench;
using LspLlama.Cli;
using LspLlama.Core.Bench;
using LspLlama.Tests.Support;
using Xunit;

namespace LspLlama.Tests.Bench;

public sealed class BenchCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"lspllama-benchcmd-{Guid.NewGuid():N}");

    public BenchCommandTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A two-file workspace: K.cs and L.cs, each a small class repeated.</summary>
    private void WriteTwoClasses(int repeats)
    {
        string code = string.Concat(Enumerable.Repeat("internal static class K\n{\n    public static int Twice(int x) => x * 2;\n}\n", repeats));
        File.WriteAllText(Path.Combine(_dir, "K.cs"), code);
        File.WriteAllText(Path.Combine(_dir, "L.cs"), code.Replace('K', 'L'));
    }

    [Fact]
    public async Task Trace_only_writes_a_valid_trace_that_the_same_seed_reproduces()
    {
        WriteTwoClasses(repeats: 200);
        string a = Path.Combine(_dir, "a.trace"), b = Path.Combine(_dir, "b.trace");

        string[] common = ["bench", "--trace-only", "--workspace", _dir, "--syncs", "30", "--context-tokens", "2000", "--seed", "5"];
        Assert.Equal(0, await CommandLine.RunAsync([.. common, "--save-trace", a]));
        Assert.Equal(0, await CommandLine.RunAsync([.. common, "--save-trace", b]));

        Assert.Equal(File.ReadAllText(a), File.ReadAllText(b));
        EditTrace trace = TraceFile.Read(a);
        Assert.Equal(30, trace.CompletionCount);
        Assert.Equal(5, trace.Header.Generator!.Seed);
        Assert.Empty(TracePlayback.Validate(trace));

        // A saved trace is accepted back by --trace.
        Assert.Equal(0, await CommandLine.RunAsync(["bench", "--trace-only", "--trace", a]));
    }

    [Fact]
    public async Task A_replay_writes_its_layout_generation_and_per_sync_lines()
    {
        WriteTwoClasses(repeats: 40);
        string json = Path.Combine(_dir, "r.json"), perSync = Path.Combine(_dir, "r.csv");

        Assert.Equal(0, await CommandLine.RunAsync(
            ["bench", "--workspace", _dir, "--syncs", "6", "--context-tokens", "600", "--policies", "none,lspllama",
             "--generate", "2", "--cursor-line", "prefix", "--closed-files", "drop", "--recency-decay", "0.25",
             "--threads", "2", "--json", json, "--per-sync", perSync]));

        using System.Text.Json.JsonDocument doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(json));
        System.Text.Json.JsonElement model = doc.RootElement.GetProperty("model");
        Assert.Equal(2, model.GetProperty("generatedPerSync").GetInt32());
        Assert.True(model.GetProperty("fileBytes").GetInt64() > 0, "the model file's size, for the peak RSS bound");
        Assert.Equal(1024L << 20, model.GetProperty("checkpointBudgetBytes").GetInt64());
        Assert.Contains("the cursor's line in the prefix", model.GetProperty("layout").GetString(), StringComparison.Ordinal);
        Assert.Contains("closed files leave the context", model.GetProperty("layout").GetString(), StringComparison.Ordinal);
        Assert.Equal(0.25, doc.RootElement.GetProperty("trace").GetProperty("recencyDecay").GetDouble());
        string[] lines = File.ReadAllLines(perSync);
        Assert.Equal(ReplayRunner.PerSyncHeader, lines[0]);
        Assert.Equal(1 + (2 * 6), lines.Length);
    }

    [Fact]
    public async Task A_bounded_replay_runs_alone_and_its_lines_add_up_to_its_lag_figures()
    {
        WriteTwoClasses(repeats: 60);
        string json = Path.Combine(_dir, "b.json"), perSync = Path.Combine(_dir, "b.csv");
        Assert.Equal(0, await CommandLine.RunAsync(
            ["bench", "--workspace", _dir, "--syncs", "12", "--context-tokens", "1500", "--policies", "lspllama+bounded",
             "--max-sync-tokens", "256", "--generate", "2", "--threads", "2", "--json", json, "--per-sync", perSync]));

        using System.Text.Json.JsonDocument doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(json));
        System.Text.Json.JsonElement policy = Assert.Single(doc.RootElement.GetProperty("policies").EnumerateArray());
        Assert.Equal("lspllama+bounded", policy.GetProperty("name").GetString());
        System.Text.Json.JsonElement lag = policy.GetProperty("lag");

        // Each line carries its pause's refresh and what its request saw stale, so a run stopped
        // half-way (hours, at a real size) can still be tallied from its lines.
        string[] header = ReplayRunner.PerSyncHeader.Split(',');
        int background = Array.IndexOf(header, "background_tokens"), stale = Array.IndexOf(header, "stale_documents");
        string[][] rows = [.. File.ReadAllLines(perSync).Skip(1).Select(l => l.Split(','))];
        Assert.Equal(12 - policy.GetProperty("cacheHits").GetInt32(), rows.Length);
        Assert.All(rows, r => Assert.Equal(header.Length, r.Length));
        Assert.All(rows, r => Assert.Equal("lspllama+bounded", r[0]));
        Assert.Equal(lag.GetProperty("backgroundTokens").GetInt64(), rows.Sum(r => long.Parse(r[background], System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(lag.GetProperty("staleRequests").GetInt32(), rows.Count(r => r[stale] != "0"));
        Assert.True(lag.GetProperty("backgroundTokens").GetInt64() > 0, "the pauses refreshed lagging context");
    }

    [Fact]
    public async Task A_trace_only_run_with_a_model_saves_the_trace_its_replay_generates()
    {
        // Files of unlike sizes: how many open depends on how their tokens are counted.
        for (int i = 0; i < 24; i++)
        {
            File.WriteAllText(Path.Combine(_dir, $"F{i:D2}.cs"), string.Concat(Enumerable.Repeat($"int v{i} = {i * 7919};\n", 5 + (i * 3))));
        }

        string model = TinyModels.Get(TinyArch.GraniteHybrid);
        string only = Path.Combine(_dir, "only.trace"), replayed = Path.Combine(_dir, "replayed.trace");
        string[] common = ["bench", "--workspace", _dir, "--syncs", "4", "--context-tokens", "900", "--model", model];
        Assert.Equal(0, await CommandLine.RunAsync([.. common, "--trace-only", "--save-trace", only]));
        Assert.Equal(0, await CommandLine.RunAsync([.. common, "--policies", "none", "--generate", "1", "--threads", "2", "--save-trace", replayed]));
        Assert.Equal(File.ReadAllText(replayed), File.ReadAllText(only));
    }

    [Fact]
    public void A_saved_generated_trace_gets_the_context_size_its_generation_got()
    {
        BenchOptions Options(params string[] args) => BenchOptionsReader.Read(new ArgReader(["--workspace", _dir, .. args]));
        int generated = ReplayTargets.ContextSizeFor(Options());
        Assert.Equal(61_440, generated);

        string saved = Path.Combine(_dir, "g.trace");
        TraceFile.Write(saved, new EditTrace(new TraceHeader(TraceHeader.CurrentFormatVersion, TraceSource.Generated, _dir, TraceHeader.Utf16, TraceGeneratorOptions.Default), []));
        Assert.Equal(generated, ReplayTargets.ContextSizeFor(Options("--trace", saved)));

        string recorded = Path.Combine(_dir, "r.trace");
        TraceFile.Write(recorded, new EditTrace(new TraceHeader(TraceHeader.CurrentFormatVersion, TraceSource.Recorded, _dir, TraceHeader.Utf16, null), []));
        Assert.Equal(32_768, ReplayTargets.ContextSizeFor(Options("--trace", recorded)));

        string damaged = Path.Combine(_dir, "d.trace");
        File.WriteAllText(damaged, "{not json");
        Assert.Equal(32_768, ReplayTargets.ContextSizeFor(Options("--trace", damaged)));
        Assert.Equal(40_960, ReplayTargets.ContextSizeFor(Options("--trace", damaged, "--ctx-size", "40960")));
    }

    [Theory]
    [InlineData("--policies", "none,fastest")]
    [InlineData("--policies", "lspllama+bounded")]
    [InlineData("--syncs", "0")]
    [InlineData("--seed", "x")]
    [InlineData("--bogus", "1")]
    [InlineData("--generate", "-1")]
    [InlineData("--generate", "257")]
    [InlineData("--suffix-lines", "-3")]
    [InlineData("--cursor-line", "suffix")]
    [InlineData("--recency-decay", "0")]
    [InlineData("--recency-decay", "1.5")]
    [InlineData("--recency-decay", "NaN")]
    [InlineData("--closed-files", "forget")]
    public async Task A_bad_command_line_is_a_usage_error(string option, string value)
    {
        Assert.Equal(2, await CommandLine.RunAsync(["bench", "--trace-only", "--workspace", _dir, option, value]));
    }

    [Fact]
    public async Task A_damaged_trace_is_a_usage_error_not_a_crash()
    {
        string path = Path.Combine(_dir, "bad.trace");
        File.WriteAllText(path, "{\"type\":\"header\",\"formatVersion\":99}\n");
        Assert.Equal(2, await CommandLine.RunAsync(["bench", "--trace", path]));
        Assert.Equal(2, await CommandLine.RunAsync(["bench", "--trace", Path.Combine(_dir, "missing.trace")]));
    }

    [Fact]
    public async Task A_missing_or_broken_model_is_a_clear_error_not_a_crash()
    {
        File.WriteAllText(Path.Combine(_dir, "K.cs"), string.Concat(Enumerable.Repeat("internal static class K { }\n", 50)));
        string broken = Path.Combine(_dir, "broken.gguf");
        File.WriteAllText(broken, "this is not a GGUF file");

        Assert.Equal(2, await CommandLine.RunAsync(["bench", "--workspace", _dir, "--model", Path.Combine(_dir, "missing.gguf")]));
        Assert.Equal(1, await CommandLine.RunAsync(["bench", "--workspace", _dir, "--model", broken]));
    }
}
