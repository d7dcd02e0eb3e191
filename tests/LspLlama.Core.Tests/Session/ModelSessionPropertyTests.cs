using LspLlama.Core.Session;
using Xunit;

namespace LspLlama.Core.Tests.Session;

/// <summary>
/// Random edit scripts against every memory kind and policy. After every sync: the memory gives
/// the same output as decoding from scratch; the rollback reached the best point available; no
/// checkpoint outlives its tokens; the memory budget holds. Cancellations hit mid-sync.
/// </summary>
public sealed class ModelSessionPropertyTests
{
    // 5 checkpoints of 128 KiB fit in the 1 MiB budget: scripts of a few hundred tokens with fill
    // every 24 tokens need more, so eviction is exercised.
    private const int StateBytes = 128 * 1024;
    private static readonly CheckpointSettings s_settings = new(MaxMemoryMiB: 1, MinSpacingTokens: 6, IntervalTokens: 24);

    public static TheoryData<string, string, int> Cases()
    {
        var data = new TheoryData<string, string, int>();
        foreach (MemoryKind kind in Enum.GetValues<MemoryKind>())
        {
            foreach (string policy in CheckpointPolicies.Names)
            {
                data.Add(kind.ToString(), policy, 1);
                data.Add(kind.ToString(), policy, 2);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_sync_matches_a_fresh_decode_and_rolls_back_as_far_as_the_memory_allows(string kindName, string policyName, int seed)
    {
        MemoryKind kind = Enum.Parse<MemoryKind>(kindName);
        var backend = new FakeBackend(kind, contextSize: 1024, batchSize: 32, microBatchSize: 16, window: 12, recurrentBytes: StateBytes);
        ICheckpointPolicy policy = CheckpointPolicies.Create(policyName, s_settings);
        var session = new ModelSession(backend, policy);
        var script = new EditScript(seed * 7919, segments: 4, segmentLength: 60);
        using var cts = new CancellationTokenSource();
        CancellationTokenSource current = cts;

        for (int step = 0; step < 60; step++)
        {
            string edit = script.Step();
            int[] desired = script.Desired();
            SyncHints hints = script.Hints();
            int[] held = session.Held.ToArray();
            int common = held.AsSpan().CommonPrefixLength(desired);
            int target = Math.Min(common, desired.Length - 1);
            int bestCheckpoint = session.Checkpoints.Where(c => c.Position <= target).Select(c => c.Position).DefaultIfEmpty(0).Max();

            bool cancel = script.Next(8) == 0;
            using var stepCts = new CancellationTokenSource();
            int cancelAfter = script.Next(3) + 1;
            int decodes = 0;
            backend.AfterDecode = cancel ? _ => { if (++decodes == cancelAfter) { stepCts.Cancel(); } } : null;

            string where = $"step {step} ({edit}), {kind}/{policyName}";
            SyncFigures f;
            try
            {
                f = session.Sync(desired, hints, stepCts.Token);
            }
            catch (OperationCanceledException)
            {
                f = session.LastFigures;
                Assert.True(f.Cancelled, where);
                Assert.Equal(desired[..session.Held.Length], session.Held.ToArray());
                SessionAssert.MatchesFresh(session, backend);
                SessionAssert.CheckpointsMatchTheirTokens(session, backend);
                continue;
            }

            Assert.Equal(desired, session.Held.ToArray());
            SessionAssert.MatchesFresh(session, backend);
            SessionAssert.CheckpointsMatchTheirTokens(session, backend);

            Assert.Equal(common, f.CommonPrefix);
            Assert.Equal(f.Decoded == 0 ? 0 : Math.Max(1, desired.Length - common), f.Ideal);
            if (f.Decoded > 0)
            {
                // Decoded = ideal + (first changed token - rollback point), and the rollback point
                // is never worse than the newest checkpoint at or before the target.
                Assert.Equal(desired.Length - f.Kept, f.Decoded);
                Assert.InRange(f.Kept, 0, target);
                Assert.True(f.Decoded <= f.Ideal + (common - f.Kept) + (common == desired.Length ? 1 : 0), where);
                int best = kind == MemoryKind.Attention || held.Length == target ? target : bestCheckpoint;
                Assert.True(f.Kept >= best, $"{where}: kept {f.Kept}, but {best} was available");
            }
            else
            {
                Assert.Equal(desired, held);
            }

            if (kind == MemoryKind.Attention)
            {
                Assert.Empty(session.Checkpoints);
            }

            Assert.True(session.CheckpointBytes <= policy.MemoryBudgetBytes || policy.MemoryBudgetBytes == 0, where);
            if (policyName == "lspllama")
            {
                Assert.True(session.RetainedBytes <= s_settings.MaxMemoryBytes, $"{where}: {session.RetainedBytes} bytes retained");
            }

            if (script.Next(5) == 0)
            {
                session.AppendGenerated(script.Next(50));
                session.AppendGenerated(script.Next(50));
            }
        }
    }
}
