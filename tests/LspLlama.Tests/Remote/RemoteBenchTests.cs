using System.Text.Json.Nodes;
using LspLlama.Bench;
using LspLlama.Core.Bench;
using LspLlama.Tests.Support;
using Xunit;

namespace LspLlama.Tests.Remote;

/// <summary><c>bench --engine</c>: llama.vscode's /infill request, and a short trace through all three targets on the real llama-server.</summary>
public sealed class RemoteBenchTests
{
    [Fact]
    public void The_infill_request_has_the_cursor_line_256_lines_before_64_after_and_the_other_files_in_64_line_chunks()
    {
        string text = string.Concat(Enumerable.Range(0, 400).Select(i => $"line {i}\n"));
        int offset = text.IndexOf("line 300\n", StringComparison.Ordinal) + "line 3".Length;
        string other = string.Concat(Enumerable.Range(0, 130).Select(i => $"o{i}\n"));
        JsonObject body = InfillLayout.Request("file:///w/a.py", text, offset, [("file:///w/b.py", other)], slot: 1, maxTokens: 8, CountChars, 1 << 20);

        Assert.Equal("line 3", body["prompt"]!.GetValue<string>());
        string prefix = body["input_prefix"]!.GetValue<string>();
        Assert.StartsWith("line 44\n", prefix, StringComparison.Ordinal);
        Assert.EndsWith("line 299\n", prefix, StringComparison.Ordinal);
        Assert.Equal(256, prefix.Count(c => c == '\n'));
        string suffix = body["input_suffix"]!.GetValue<string>();
        Assert.StartsWith("00\nline 301\n", suffix, StringComparison.Ordinal);
        Assert.EndsWith("line 364\n", suffix, StringComparison.Ordinal);

        JsonArray extra = body["input_extra"]!.AsArray();
        Assert.Equal(3, extra.Count);
        Assert.All(extra, c => Assert.Equal("/w/b.py", c!["filename"]!.GetValue<string>()));
        Assert.Equal(other, string.Concat(extra.Select(c => c!["text"]!.GetValue<string>())));
        Assert.Equal(64, extra[0]!["text"]!.GetValue<string>().Count(c => c == '\n'));
        Assert.Equal(1, body["id_slot"]!.GetValue<int>());
        Assert.True(body["cache_prompt"]!.GetValue<bool>());

        // At the top of a file there is no prefix, and the prompt is the line up to the cursor.
        JsonObject top = InfillLayout.Request("file:///w/a.py", text, 3, [], slot: 0, maxTokens: 8, CountChars, 1 << 20);
        Assert.Equal("", top["input_prefix"]!.GetValue<string>());
        Assert.Equal("lin", top["prompt"]!.GetValue<string>());

        // A context too small for every chunk keeps the newest that fit: the other file's last ones.
        int pieces = CountChars(prefix + suffix + "line 3");
        JsonObject small = InfillLayout.Request("file:///w/a.py", text, offset, [("file:///w/b.py", other)], slot: 1, maxTokens: 8, CountChars, pieces + 512 + 16 + 64 + 300);
        JsonArray kept = small["input_extra"]!.AsArray();
        Assert.Single(kept);
        Assert.EndsWith("o129\n", kept[0]!["text"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    private static int CountChars(string text) => text.Length;

    [Fact]
    public async Task A_short_trace_replays_in_process_remote_and_infill_and_the_infill_layout_decodes_more()
    {
        string model = TinyModels.Get(TinyArch.GraniteHybrid);
        using LlamaServerProcess server = await LlamaServerProcess.StartAsync(model, slots: 2);
        using ReplayLlamaFactory local = new(model, generated: true, new ReplaySettings(ContextSize: 2048, BatchSize: 128, MicroBatchSize: 128, Threads: 2, GeneratePerSync: 4));
        SourceFile[] files = [.. SyntheticWorkspace.Generate(3, 4_000, bytesPerFile: 1_500)
            .Select(f => new SourceFile("file:///w/" + f.RelativePath, "csharp", f.Text))];
        EditTrace trace = new TraceGenerator(files, new TraceGeneratorOptions(Seed: 3, Syncs: 10, ContextTokens: 900), local.CountTokens).Generate("/w");

        BenchReport report = new ReplayRunner(new RemoteReplayFactory(local, server.Url)).Run(trace, RemoteReplayFactory.Targets, CancellationToken.None);
        Dictionary<string, PolicyResult> by = report.Policies.ToDictionary(p => p.Name);
        string figures = string.Join("; ", report.Policies.Select(p => $"{p.Name} decoded {p.DecodedTokens}, ideal {p.IdealTokens}, full {p.FullReprocesses}, cache {p.CacheHits}"));

        Assert.All(report.Policies, p => Assert.Equal(10, p.Syncs + p.CacheHits));
        Assert.Equal(4, report.Policies.Count);
        Assert.Equal(by[RemoteReplayFactory.InProcess].IdealTokens, by[RemoteReplayFactory.RemoteLayout].IdealTokens);
        // The server can keep no more than what its slot shares with the new prompt: at least the ideal is decoded.
        Assert.True(by[RemoteReplayFactory.RemoteLayout].DecodedTokens >= by[RemoteReplayFactory.InProcess].IdealTokens * 0.9, figures);
        Assert.True(by[RemoteReplayFactory.InfillLayout].FullReprocesses >= 5, figures);
        Assert.True(by[RemoteReplayFactory.InfillLayout].DecodedTokens > by[RemoteReplayFactory.RemoteLayout].DecodedTokens, figures);

        using var table = new StringWriter();
        RemoteBenchReport.Write(table, report);
        Assert.Contains("/infill layout decoded / LspLlama's layout", table.ToString(), StringComparison.Ordinal);
    }
}
