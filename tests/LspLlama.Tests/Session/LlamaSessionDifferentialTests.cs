using LspLlama.Core.Completion;
using LspLlama.Core.Session;
using LspLlama.Llama;
using LspLlama.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace LspLlama.Tests.Session;

/// <summary>
/// The model session on real tiny models of every memory kind: random edits over three segments
/// (typing, deletes, replacements anywhere, appends, generation, a cancellation mid-sync). After
/// every sync the next-token logits must equal those of a second context that decoded the same
/// tokens from scratch.
/// </summary>
public sealed class LlamaSessionDifferentialTests(ITestOutputHelper output)
{
    // Both contexts run the same F32 kernels on the same tokens; only the split into batches
    // differs (rollback points, checkpoint splits), which changes float summation order inside
    // matrix products and the recurrent scan. That moves logits by ~1e-6 relative; a wrong state
    // (a stale checkpoint, a missing window) moves them by the logits' own spread, O(0.1..1) for
    // random weights. 1e-3 of the largest logit sits far between the two.
    private const float RelativeTolerance = 1e-3f;

    [Theory]
    [InlineData(TinyArch.Llama, "Attention", 0, 30)]
    [InlineData(TinyArch.Mamba2, "Recurrent", 0, 30)]
    [InlineData(TinyArch.GraniteHybrid, "Hybrid", 0, 30)]
    [InlineData(TinyArch.Lfm2, "Hybrid", 0, 30)]
    [InlineData(TinyArch.Qwen35, "Hybrid", 0, 30)]
    [InlineData(TinyArch.Qwen35, "Hybrid", 4, 30)]

    // The SWA cache holds n_swa + n_ubatch cells padded to 256: only a longer sequence makes it
    // evict positions, so that an early edit must restore a checkpoint instead of cutting.
    [InlineData(TinyArch.Gemma2, "SlidingWindow", 0, 100)]
    public void Every_sync_gives_the_logits_of_a_fresh_decode(TinyArch arch, string expectedKind, uint rollbackSnapshots, int segmentLength)
    {
        string path = TinyModels.Get(arch);
        int contextSize = segmentLength > 60 ? 512 : 256;
        using var model = new ModelRunner(path, contextSize, batchSize: 32, recurrentRollback: rollbackSnapshots);
        using var reference = new ModelRunner(path, contextSize, batchSize: 32, recurrentRollback: rollbackSnapshots);
        var llama = new LlamaSessionBackend(model.Handle);
        output.WriteLine(llama.Probe.Describe());
        Assert.Equal(expectedKind, llama.MemoryKind.ToString());

        var backend = new CancellingBackend(llama);
        var policy = CheckpointPolicies.Create("lspllama", new CheckpointSettings(MaxMemoryMiB: 64, MinSpacingTokens: 4, IntervalTokens: 16));
        var session = new ModelSession(backend, policy);
        var random = new Random((int)arch * 31 + (int)rollbackSnapshots);
        List<int>[] segments = [Tokens(random, segmentLength), Tokens(random, segmentLength), Tokens(random, segmentLength)];
        int cursor = segmentLength / 2;
        float worst = 0;
        int restores = 0;

        for (int step = 0; step < 12; step++)
        {
            string edit = Edit(random, segments, ref cursor);
            int[] desired = [.. segments.SelectMany(s => s)];
            int activeStart = segments[0].Count + segments[1].Count;
            var hints = new SyncHints([0, segments[0].Count, activeStart], activeStart + (cursor / 8 * 8), activeStart + cursor);

            using var cts = new CancellationTokenSource();
            bool cancel = step == 5;
            if (cancel)
            {
                backend.CancelAfter(cts, 1);
            }

            try
            {
                SyncFigures f = session.Sync(desired, hints, cts.Token);
                Assert.False(cancel && f.Decoded > backend.BatchSize, "the cancellation should have stopped the sync");
                Assert.Equal(desired, session.Held.ToArray());
                Assert.True(f.Kept >= 0 && f.Decoded == (f.Decoded == 0 ? 0 : desired.Length - f.Kept));
                restores += f.RestoredFrom >= 0 ? 1 : 0;
                output.WriteLine($"step {step} {edit}: kept {f.Kept} restored {f.RestoredFrom} decoded {f.Decoded} ideal {f.Ideal} checkpoints {f.CheckpointCount}");
            }
            catch (OperationCanceledException)
            {
                output.WriteLine($"step {step} {edit}: cancelled holding {session.Held.Length}");
                Assert.Equal(desired[..session.Held.Length], session.Held.ToArray());
            }

            worst = Math.Max(worst, AssertSameLogits(llama.Logits(), reference, session.Held.ToArray(), $"{arch} step {step} ({edit})"));

            if (step % 4 == 3)
            {
                session.AppendGenerated(random.Next(256));
                worst = Math.Max(worst, AssertSameLogits(llama.Logits(), reference, session.Held.ToArray(), $"{arch} generated after step {step}"));
            }
        }

        output.WriteLine($"largest relative logit difference: {worst:E2}");
        Assert.True(expectedKind == "Attention" || restores > 0, "no sync restored a checkpoint: the script missed the interesting path");
    }

    private static float AssertSameLogits(Span<float> actual, ModelRunner reference, int[] tokens, string where)
    {
        float[] expected = reference.DecodeFresh(tokens);
        float scale = Math.Max(1f, expected.Max(Math.Abs));
        float diff = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            diff = Math.Max(diff, Math.Abs(expected[i] - actual[i]));
        }

        Assert.True(diff <= RelativeTolerance * scale, $"{where}: logits differ by {diff} (scale {scale})");
        Assert.Equal(LogitSampler.ArgMax(expected), LogitSampler.ArgMax(actual));
        return diff / scale;
    }

    private static string Edit(Random random, List<int>[] segments, ref int cursor)
    {
        List<int> active = segments[^1];
        switch (random.Next(6))
        {
            case 0:
            case 1:
                active.Insert(cursor++, random.Next(256));
                return "type";
            case 2 when cursor > 0:
                active.RemoveAt(--cursor);
                return "backspace";
            case 3:
                active.Add(random.Next(256));
                return "append";
            default:
                List<int> segment = segments[random.Next(segments.Length)];
                int at = random.Next(segment.Count);
                if (random.Next(2) == 0)
                {
                    segment[at] = random.Next(256);
                    return "replace";
                }

                segment.InsertRange(at, Tokens(random, random.Next(1, 5)));
                cursor = Math.Min(cursor, active.Count);
                return "insert";
        }
    }

    private static List<int> Tokens(Random random, int count) => [.. Enumerable.Range(0, count).Select(_ => random.Next(256))];
}
