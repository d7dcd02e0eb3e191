using LspLlama.Bench;
using LspLlama.Core.Bench;
using LspLlama.Tests.Support;
using Xunit;

namespace LspLlama.Tests.Bench;

/// <summary>The whole bench path on a real tiny hybrid model: a short trace, every policy.</summary>
public sealed class ReplayModelTests
{
    [Fact]
    public void Every_policy_replays_a_trace_on_a_tiny_hybrid_model_and_ours_decodes_least()
    {
        string model = TinyModels.Get(TinyArch.GraniteHybrid);
        using ReplayLlamaFactory factory = new(model, generated: true, new ReplaySettings(ContextSize: 2048, BatchSize: 128, MicroBatchSize: 128, Threads: 2, GeneratePerSync: 4));
        Assert.Equal("granitehybrid", factory.Model.Architecture);
        Assert.Equal("hybrid", factory.Model.MemoryKind);

        SourceFile[] files = [.. SyntheticWorkspace.Generate(2, 4_000, bytesPerFile: 1_500)
            .Select(f => new SourceFile("file:///w/" + f.RelativePath, "csharp", f.Text))];
        EditTrace trace = new TraceGenerator(files, new TraceGeneratorOptions(Seed: 2, Syncs: 8, ContextTokens: 700), factory.CountTokens).Generate("/w");

        BenchReport report = new ReplayRunner(factory).Run(trace, ReplayRunner.AllPolicies, CancellationToken.None);
        Dictionary<string, PolicyResult> by = report.Policies.ToDictionary(p => p.Name);

        Assert.All(report.Policies, p =>
        {
            Assert.Equal(8, p.Syncs);
            Assert.True(p.DecodedTokens >= p.IdealTokens, $"{p.Name}: {p.DecodedTokens} < ideal {p.IdealTokens}");
            Assert.Equal(by["none"].IdealTokens, p.IdealTokens);
        });
        Assert.True(report.Trace.MaxContextTokens >= 600, $"context {report.Trace.MaxContextTokens}");
        Assert.Equal(0, by["none"].CheckpointPeakBytes);
        // Every sync after the first has the previous completion to drop, which only a checkpoint allows.
        Assert.Equal(7, by["none"].FullReprocesses);
        Assert.Equal(4, report.Model.GeneratedPerSync);
        Assert.True(by["lspllama"].CheckpointPeakBytes > 0, string.Join("; ", report.Policies.Select(p => $"{p.Name} {p.DecodedTokens}/{p.IdealTokens} ckpt {p.CheckpointPeakBytes} full {p.FullReprocesses}")));
        // On a trace this small every checkpointing policy stays near the ideal; ours within the target.
        Assert.True(by["lspllama"].RatioToIdeal <= 1.10, string.Join("; ", report.Policies.Select(p => $"{p.Name} {p.DecodedTokens}/{p.IdealTokens} ckpt {p.CheckpointPeakBytes} full {p.FullReprocesses}")));
        Assert.True(by["lspllama"].DecodedTokens * 2 < by["none"].DecodedTokens, $"lspllama {by["lspllama"].DecodedTokens}, none {by["none"].DecodedTokens}");
    }
}
