using System.Text.Json;
using LLama;
using LLama.Common;
using LspLlama.Bench;
using LspLlama.Core.Context;
using LspLlama.Llama;
using LspLlama.Tests.Support;
using Xunit;

namespace LspLlama.Tests.Context;

public sealed class PlanBenchTests
{
    [Fact]
    public void SmallRunIsExactAndWritesTheJsonShape()
    {
        using LLamaWeights weights = LLamaWeights.LoadFromFile(new ModelParams(TinyModels.Get(TinyArch.Llama)) { VocabOnly = true, GpuLayerCount = 0 });
        var tokenizer = new LlamaTokenizer(weights.NativeHandle);
        IReadOnlyList<(string Path, string Text)> files = PlanWorkspace.Generate(tokenizer, files: 4, totalTokens: 6000, seed: 3);
        int tokens = files.Sum(f => tokenizer.Tokenize(f.Text).Length);
        Assert.InRange(tokens, 5000, 8000);
        Assert.Equal(files, PlanWorkspace.Generate(tokenizer, files: 4, totalTokens: 6000, seed: 3));

        var options = new PlanBenchOptions(4, 6000, Keystrokes: 300, Warmup: 20, Seed: 3, [FimLayout.Psm, FimLayout.Spm]);
        PlanBenchResult psm = PlanBench.Run(tokenizer, files, FimLayout.Psm, options);
        PlanBenchResult spm = PlanBench.Run(tokenizer, files, FimLayout.Spm, options);
        Assert.True(psm.Exact && spm.Exact);
        Assert.Equal(300, psm.Keystrokes);
        Assert.Equal(["cursor jump", "new line", "other-file edit", "typing"], psm.Kinds.Select(k => k.Kind).Order(StringComparer.Ordinal).ToArray());
        // SPM leaves the suffix in place while typing, and PSM puts the typed line after the middle
        // marker: either way the median keystroke re-decodes a few tokens, not the suffix window.
        // A new line typed at the end of a line leaves the text after the cursor alone: in PSM the
        // split stays where it was, so it costs the few tokens at the end as well.
        Assert.True(spm.Kinds.Single(k => k.Kind == "typing").RedecodeP50 < 10);
        Assert.True(psm.Kinds.Single(k => k.Kind == "typing").RedecodeP50 < 10);
        Assert.True(psm.Kinds.Single(k => k.Kind == "new line").RedecodeP50 < 10);
        Assert.True(spm.Kinds.Single(k => k.Kind == "new line").RedecodeP50 < 10);

        string path = Path.Combine(Path.GetTempPath(), $"plan-bench-{Guid.NewGuid():N}.json");
        try
        {
            PlanBenchReport.WriteJson(path, "generated", files.Count, tokens, [psm, spm]);
            using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(path));
            JsonElement layout = doc.RootElement.GetProperty("layouts")[1];
            Assert.Equal("spm", layout.GetProperty("layout").GetString());
            Assert.True(layout.GetProperty("micros").GetProperty("p99").GetDouble() > 0);
            Assert.True(layout.GetProperty("allocatedBytesPerKeystroke").GetProperty("mean").GetDouble() > 0);
            Assert.True(layout.GetProperty("exact").GetBoolean());
        }
        finally
        {
            File.Delete(path);
        }
    }
}
