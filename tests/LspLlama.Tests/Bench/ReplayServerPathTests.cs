using LspLlama.Bench;
using LspLlama.Core.Bench;
using LspLlama.Core.Context;
using LspLlama.Core.Session;
using Xunit;

namespace LspLlama.Tests.Bench;

public sealed class ReplayServerPathTests
{
    private static readonly ContextSettings s_context = new() { ContextSize = 1 << 16, Layout = FimLayout.Psm, SuffixLines = 4 };

    private static EditTrace Trace(int seed) => new TraceGenerator(
        [.. SyntheticWorkspace.Generate(seed, 12_000, bytesPerFile: 3_000).Select(f => new SourceFile("file:///w/" + f.RelativePath, "csharp", f.Text))],
        new TraceGeneratorOptions(Seed: seed, Syncs: 60, ContextTokens: 3_000)).Generate("/w");

    private static ReplayServerPath Target(string policy, ReplayRecurrentBackend backend) =>
        new(new ReplayByteTokenizer(), s_context, backend, CheckpointPolicies.Create(policy, new CheckpointSettings(MinSpacingTokens: 16, IntervalTokens: 256)), "/w", TraceHeader.Utf16);

    [Fact]
    public void The_model_holds_every_open_document_as_the_editor_has_it_after_each_sync()
    {
        EditTrace trace = Trace(3);
        ReplayRecurrentBackend backend = new();
        using ReplayServerPath target = Target("lspllama", backend);
        TracePlayback editor = new();
        int checkedSyncs = 0;
        foreach (TraceEvent e in trace.Events)
        {
            Assert.Null(editor.TryApply(e));
            if (e is not TraceCompletion c)
            {
                target.Apply(e);
                continue;
            }

            SyncCost cost = target.Sync(c, CancellationToken.None);
            string held = ReplayByteTokenizer.Text(target.Session.Held);
            Assert.Equal(target.Session.Held.Length, cost.ContextTokens);
            foreach (string uri in editor.OpenUris.Where(u => u != c.Uri))
            {
                Assert.Contains(editor.TextOf(uri), held, StringComparison.Ordinal);
            }

            // The active document: its text up to the cursor ends right before the suffix marker.
            string active = editor.TextOf(c.Uri);
            int cursor = new TraceText(active).Offset(c.Position);
            int pre = held.LastIndexOf("<PRE>", StringComparison.Ordinal);
            int suf = held.LastIndexOf("<SUF>", StringComparison.Ordinal);
            Assert.EndsWith(active[..cursor][^Math.Min(cursor, 200)..], held[..suf], StringComparison.Ordinal);
            Assert.True(pre >= 0 && pre < suf && held.EndsWith("<MID>", StringComparison.Ordinal));
            checkedSyncs++;
        }

        Assert.Equal(60, checkedSyncs);
    }

    [Fact]
    public void Checkpoints_cut_what_a_recurrent_model_decodes_and_never_go_below_the_ideal()
    {
        EditTrace trace = Trace(4);
        Dictionary<string, PolicyResult> results = [];
        foreach (string policy in new[] { "none", "lspllama" })
        {
            ReplayRecurrentBackend backend = new();
            using ReplayServerPath target = Target(policy, backend);
            PolicyTally tally = new(policy);
            foreach (TraceEvent e in trace.Events)
            {
                if (e is TraceCompletion c)
                {
                    SyncCost cost = target.Sync(c, CancellationToken.None);
                    Assert.True(cost.DecodedTokens >= cost.IdealTokens, $"{policy}: decoded {cost.DecodedTokens} < ideal {cost.IdealTokens}");
                    tally.Add(cost);
                }
                else
                {
                    target.Apply(e);
                }
            }

            Assert.Equal(tally.DecodedTokens, backend.TokensDecoded);
            results[policy] = tally.ToResult();
        }

        PolicyResult none = results["none"], ours = results["lspllama"];
        Assert.Equal(none.IdealTokens, ours.IdealTokens);
        Assert.True(none.FullReprocesses > 50, $"none re-processed fully {none.FullReprocesses} times");
        Assert.True(ours.CheckpointPeakBytes > 0);
        Assert.True(ours.DecodedTokens * 3 < none.DecodedTokens, $"lspllama {ours.DecodedTokens}, none {none.DecodedTokens}");
    }
}
