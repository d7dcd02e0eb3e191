using LspLlama.Bench;
using LspLlama.Core.Bench;
using LspLlama.Core.Completion;
using LspLlama.Core.Context;
using LspLlama.Core.Session;
using Xunit;

namespace LspLlama.Tests.Bench;

/// <summary>
/// Bounded syncs through the server's serving object, on fakes: no request decodes more than the
/// bound, the context lags only until the next pause, and the refresh always lands on the exact text.
/// </summary>
public sealed class BoundedReplayTests
{
    private const int Bound = 512;

    private static EditTrace Trace(int seed) => new TraceGenerator(
        [.. SyntheticWorkspace.Generate(seed, 24_000, bytesPerFile: 3_000).Select(f => new SourceFile("file:///w/" + f.RelativePath, "csharp", f.Text))],
        new TraceGeneratorOptions(Seed: seed, Syncs: 80, ContextTokens: 8_000)).Generate("/w");

    private static ReplayServing Target(ReplayRecurrentBackend backend, int maxSyncTokens, ICheckpointSpill? spill = null) =>
        new(
            new ReplayServedModel(backend, CheckpointPolicies.Create("lspllama", new CheckpointSettings(MaxMemoryMiB: 1, MinSpacingTokens: 16, IntervalTokens: 256)), spill),
            new ContextSettings { ContextSize = 1 << 16, Layout = FimLayout.Psm, SuffixLines = 4, MaxActiveTokens = maxSyncTokens },
            new GenerationOptions { MaxTokens = 4, TimeBudget = TimeSpan.FromMinutes(1) },
            TraceHeader.Utf16,
            maxSyncTokens: maxSyncTokens);

    [Fact]
    public void Every_request_decodes_within_the_bound_and_each_pause_brings_the_context_up_to_date()
    {
        EditTrace trace = Trace(5);
        ReplayRecurrentBackend backend = new();
        using ReplayServing target = Target(backend, Bound);
        TracePlayback editor = new();
        int stale = 0, refreshed = 0, over = 0;
        for (int i = 0; i < trace.Events.Count; i++)
        {
            TraceEvent e = trace.Events[i];
            Assert.Null(editor.TryApply(e));
            if (e is not TraceCompletion c)
            {
                target.Apply(e);
                continue;
            }

            if (target.Sync(c, CancellationToken.None) is { } cost)
            {
                Assert.True(cost.DecodedTokens <= Bound, $"request {i} decoded {cost.DecodedTokens}");
                stale += cost.StaleDocuments > 0 ? 1 : 0;
                over += cost.IdealTokens > Bound ? 1 : 0;
            }

            if (!ReplayRunner.PausesAfter(trace.Events, i) || target.Idle(int.MaxValue, CancellationToken.None) == 0)
            {
                continue;
            }

            // After a refresh nothing lags: the memory holds every open document exactly as the editor has it.
            refreshed++;
            string held = ReplayByteTokenizer.Text(target.Session.Held);
            foreach (string uri in editor.OpenUris.Where(u => u != c.Uri))
            {
                Assert.Contains(editor.TextOf(uri), held, StringComparison.Ordinal);
            }

            Assert.Equal(0, target.Figures!.Lag!.Documents);
        }

        Assert.True(stale > 0 && refreshed > 0, $"the trace must make some requests lag ({stale}) and some pauses refresh ({refreshed})");
    }

    [Fact]
    public void The_exact_mode_never_lags_and_decodes_past_the_bound_where_the_bounded_one_does_not()
    {
        EditTrace trace = Trace(6);
        long Max(ReplayServing target)
        {
            long max = 0;
            for (int i = 0; i < trace.Events.Count; i++)
            {
                if (trace.Events[i] is TraceCompletion c)
                {
                    max = Math.Max(max, target.Sync(c, CancellationToken.None)?.DecodedTokens ?? 0);
                    if (ReplayRunner.PausesAfter(trace.Events, i))
                    {
                        _ = target.Idle(int.MaxValue, CancellationToken.None);
                    }
                }
                else
                {
                    target.Apply(trace.Events[i]);
                }
            }

            return max;
        }

        using ReplayServing exact = Target(new ReplayRecurrentBackend(), 0);
        using ReplayServing bounded = Target(new ReplayRecurrentBackend(), Bound);
        Assert.True(Max(exact) > Bound);
        Assert.True(Max(bounded) <= Bound);
        Assert.False(exact.Figures!.Lag!.Any);
        Assert.Equal(0, exact.Figures.Lag.BoundedRequests);
        Assert.True(bounded.Figures!.Lag!.BoundedRequests > 0);
    }

    [Fact]
    public void A_spilled_checkpoint_that_fails_to_read_back_does_not_take_a_request_past_the_bound()
    {
        // The bound is checked against what the rollback keeps, which counts a spilled checkpoint
        // where reading it pays; when the read then fails, the rollback falls back to an older
        // checkpoint, and the request must choose its prompt again rather than decode from there.
        EditTrace trace = Trace(5);
        var spill = new UnreadableSpill();
        using ReplayServing target = Target(new ReplayRecurrentBackend(stateBytes: 64 * 1024), Bound, spill);
        for (int i = 0; i < trace.Events.Count; i++)
        {
            if (trace.Events[i] is not TraceCompletion c)
            {
                target.Apply(trace.Events[i]);
                continue;
            }

            if (target.Sync(c, CancellationToken.None) is { } cost)
            {
                Assert.True(cost.DecodedTokens <= Bound, $"request {i} decoded {cost.DecodedTokens} after {spill.FailedReads} failed reads");
            }

            if (ReplayRunner.PausesAfter(trace.Events, i))
            {
                _ = target.Idle(int.MaxValue, CancellationToken.None);
            }
        }

        Assert.True(spill.FailedReads > 0, "the rollbacks must have counted on the unreadable tier for the test to mean anything");
        Assert.False(target.Figures!.Lag!.Any);
    }

    [Fact]
    public void A_pause_is_anything_but_more_keystrokes_on_the_same_line()
    {
        const string A = "file:///w/a.cs", B = "file:///w/b.cs";
        TraceEvent[] events =
        [
            new TraceCompletion(A, new TracePosition(1, 4)),
            new TraceEdit(A, 2, [new TraceChange(new TraceRange(new TracePosition(1, 4), new TracePosition(1, 4)), "x")]),
            new TraceCompletion(A, new TracePosition(1, 5)),
            new TraceFocus(B, new TracePosition(0, 0)),
            new TraceCompletion(B, new TracePosition(0, 0)),
            new TraceCompletion(B, new TracePosition(3, 0)),
        ];

        Assert.False(ReplayRunner.PausesAfter(events, 0));
        Assert.True(ReplayRunner.PausesAfter(events, 2));
        Assert.True(ReplayRunner.PausesAfter(events, 4));
        Assert.True(ReplayRunner.PausesAfter(events, 5));
        Assert.False(ReplayRunner.PausesAfter(events, 1));
    }
}
