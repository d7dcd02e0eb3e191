using LspLlama.Bench;
using LspLlama.Core.Bench;
using LspLlama.Core.Completion;
using LspLlama.Core.Context;
using LspLlama.Core.Session;
using Xunit;

namespace LspLlama.Tests.Bench;

/// <summary>The replay through the server's serving object, on fakes: what the model holds and what each policy decodes.</summary>
public sealed class ReplayServingTests
{
    private static readonly ContextSettings s_context = new() { ContextSize = 1 << 16, Layout = FimLayout.Psm, SuffixLines = 4 };

    private static EditTrace Trace(int seed) => new TraceGenerator(
        [.. SyntheticWorkspace.Generate(seed, 12_000, bytesPerFile: 3_000).Select(f => new SourceFile("file:///w/" + f.RelativePath, "csharp", f.Text))],
        new TraceGeneratorOptions(Seed: seed, Syncs: 60, ContextTokens: 3_000)).Generate("/w");

    private static ReplayServing Target(ReplayServedModel model, int generate = 0) =>
        new(model, s_context, new GenerationOptions { MaxTokens = generate, TimeBudget = TimeSpan.FromMinutes(1) }, TraceHeader.Utf16);

    private static ReplayServedModel Model(string policy, ReplayRecurrentBackend backend) =>
        new(backend, CheckpointPolicies.Create(policy, new CheckpointSettings(MinSpacingTokens: 16, IntervalTokens: 256)));

    [Fact]
    public void The_model_holds_every_open_document_as_the_editor_has_it_after_each_sync()
    {
        EditTrace trace = Trace(3);
        ReplayRecurrentBackend backend = new();
        using ReplayServing target = Target(Model("lspllama", backend));
        TracePlayback editor = new();
        int checkedSyncs = 0, keptSplits = 0;
        foreach (TraceEvent e in trace.Events)
        {
            Assert.Null(editor.TryApply(e));
            if (e is not TraceCompletion c)
            {
                target.Apply(e);
                continue;
            }

            SyncCost cost = target.Sync(c, CancellationToken.None) ?? throw new InvalidOperationException("nothing generated, nothing to cache");
            string held = ReplayByteTokenizer.Text(target.Session.Held);
            Assert.Equal(target.Session.Held.Length, cost.ContextTokens);
            foreach (string uri in editor.OpenUris.Where(u => u != c.Uri))
            {
                Assert.Contains(editor.TextOf(uri), held, StringComparison.Ordinal);
            }

            // The active document: its text up to the split ends right before the suffix marker,
            // and from the split to the cursor follows the middle marker. The split is the start of
            // the cursor's line (of its 256-char run on a very long line) or of a line at most
            // MaxMiddleLines above, where it stayed while the user typed new lines.
            string active = editor.TextOf(c.Uri);
            int cursor = new TraceText(active).Offset(c.Position);
            int lineStart = active[..cursor].LastIndexOf('\n') + 1;
            int fresh = lineStart + ((cursor - lineStart) / 256 * 256);
            int pre = held.LastIndexOf("<PRE>", StringComparison.Ordinal);
            int suf = held.LastIndexOf("<SUF>", StringComparison.Ordinal);
            string middle = held[(held.LastIndexOf("<MID>", StringComparison.Ordinal) + 5)..];
            int split = cursor - middle.Length;
            Assert.Equal(active[split..cursor], middle);
            Assert.True(split == fresh || (split < fresh && (split == 0 || active[split - 1] == '\n')), $"split at {split}, the cursor's line starts at {lineStart}");
            Assert.True(active[split..cursor].Count(ch => ch == '\n') <= 8 && cursor - split <= 512);
            Assert.EndsWith(active[..split][^Math.Min(split, 200)..], held[..suf], StringComparison.Ordinal);
            Assert.True(pre >= 0 && pre < suf);
            checkedSyncs++;
            keptSplits += split < fresh ? 1 : 0;
        }

        Assert.Equal(60, checkedSyncs);
        Assert.True(keptSplits > 0, "no sync kept the split above the cursor's line (Enter should keep it)");
    }

    [Fact]
    public void A_focus_event_alone_changes_nothing_the_server_sees()
    {
        const string A = "file:///w/a.cs", B = "file:///w/b.cs", C = "file:///w/c.cs";
        string Replay(bool glance)
        {
            using ReplayServing target = Target(Model("lspllama", new ReplayRecurrentBackend()));
            foreach (string uri in new[] { A, B, C })
            {
                target.Apply(new TraceOpen(uri, "csharp", 1, string.Concat(Enumerable.Repeat($"// {uri}\nclass K {{ }}\n", 20))));
            }

            Assert.NotNull(target.Sync(new TraceCompletion(C, new TracePosition(3, 2)), CancellationToken.None));
            if (glance)
            {
                // A glance at a (no request there) and back: the server never knows.
                target.Apply(new TraceFocus(A, new TracePosition(5, 0)));
                target.Apply(new TraceFocus(C, new TracePosition(3, 2)));
            }

            // Answered from the cache, then one a character to the left syncs.
            Assert.Null(target.Sync(new TraceCompletion(C, new TracePosition(3, 2)), CancellationToken.None));
            Assert.NotNull(target.Sync(new TraceCompletion(C, new TracePosition(3, 1)), CancellationToken.None));
            Assert.Throws<InvalidDataException>(() => target.Apply(new TraceFocus("file:///w/closed.cs", new TracePosition(0, 0))));
            return ReplayByteTokenizer.Text(target.Session.Held);
        }

        Assert.Equal(Replay(glance: false), Replay(glance: true));
    }

    [Fact]
    public void Checkpoints_cut_what_a_recurrent_model_decodes_and_never_go_below_the_ideal()
    {
        EditTrace trace = Trace(4);
        Dictionary<string, PolicyResult> results = [];
        const int Generate = 8;
        foreach (string policy in new[] { "none", "lspllama" })
        {
            ReplayRecurrentBackend backend = new();
            ReplayServedModel model = Model(policy, backend);
            using ReplayServing target = Target(model, Generate);
            PolicyTally tally = new(policy);
            foreach (TraceEvent e in trace.Events)
            {
                if (e is TraceCompletion c)
                {
                    if (target.Sync(c, CancellationToken.None) is not { } cost)
                    {
                        tally.AddCacheHit();
                        continue;
                    }

                    Assert.True(cost.DecodedTokens >= cost.IdealTokens, $"{policy}: decoded {cost.DecodedTokens} < ideal {cost.IdealTokens}");
                    tally.Add(cost);
                }
                else
                {
                    target.Apply(e);
                }
            }

            // Every sync's completion was decoded too, and rolled back by the next sync.
            Assert.Equal(tally.DecodedTokens + model.Accepted, backend.TokensDecoded);
            Assert.Equal((Generate - 1) * tally.Syncs, model.Accepted);
            Assert.Equal(60, tally.Syncs + tally.CacheHits);
            results[policy] = tally.ToResult();
        }

        PolicyResult none = results["none"], ours = results["lspllama"];
        Assert.Equal(none.IdealTokens, ours.IdealTokens);

        // Without checkpoints a recurrent memory cannot drop the completion: every sync after the
        // first starts again from the beginning.
        Assert.Equal(none.Syncs - 1, none.FullReprocesses);
        Assert.True(ours.RatioToIdeal <= 1.10, $"lspllama decoded {ours.DecodedTokens} for an ideal of {ours.IdealTokens}");
        Assert.True(ours.CheckpointPeakBytes > 0);
        Assert.True(ours.DecodedTokens * 3 < none.DecodedTokens, $"lspllama {ours.DecodedTokens}, none {none.DecodedTokens}");
    }
}
