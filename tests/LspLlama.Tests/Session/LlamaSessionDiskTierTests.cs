using LspLlama.Core.Session;
using LspLlama.Llama;
using LspLlama.Store;
using LspLlama.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace LspLlama.Tests.Session;

/// <summary>
/// The disk tier under a real hybrid context: a budget of two checkpoints evicts the rest to disk,
/// edits roll back to checkpoints read back from there, and every sync still gives the logits of a
/// fresh decode; the tier's folder is gone when the session is.
/// </summary>
public sealed class LlamaSessionDiskTierTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("lspllama-disk-tier-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Edits_restore_checkpoints_from_disk_and_give_a_fresh_decodes_logits()
    {
        string path = TinyModels.Get(TinyArch.GraniteHybrid);
        using var model = new ModelRunner(path, 256, batchSize: 32);
        using var reference = new ModelRunner(path, 256, batchSize: 32);
        var backend = new LlamaSessionBackend(model.Handle);
        CheckpointDiskTier tier = CheckpointDiskTier.Create(_folder, 64L << 20, out string? problem) ?? throw new InvalidOperationException(problem);
        string tierFolder = tier.Folder;
        int stateBytes;

        // A budget of two of the tiny model's states (10 KB); the 16-token fill wants far more.
        var policy = new TwoStateBudget(CheckpointPolicies.Create(CheckpointPolicies.Lspllama, new CheckpointSettings(MinSpacingTokens: 4, IntervalTokens: 16)));
        int diskRestores = 0;
        using (var session = new ModelSession(backend, policy, tier))
        {
            var random = new Random(5);
            int[] tokens = [.. Enumerable.Range(0, 200).Select(_ => random.Next(256))];
            SyncFigures first = session.Sync(tokens, SyncHints.None, default);
            stateBytes = backend.PartialStateSize();
            output.WriteLine($"first sync: {first.CheckpointsSaved} saved, {first.Traffic.Evictions} evicted, {first.Traffic.Spilled} spilled, {first.Traffic.SkippedSaves} skipped, state {stateBytes} bytes, {first.CheckpointCount} kept");
            Assert.True(first.Traffic.Evictions > 0, "the budget evicts");
            Assert.True(first.Traffic.Spilled > 0, "evicted checkpoints go to disk");
            Assert.True(session.PeakCheckpointBytes <= 2 * stateBytes, $"peak {session.PeakCheckpointBytes} over two states of {stateBytes}");

            for (int step = 0; step < 6; step++)
            {
                // An edit behind the two newest checkpoints: only the disk tier holds one close before it.
                int at = 40 + (step * 20);
                tokens[at] = random.Next(256);
                SyncFigures f = session.Sync(tokens, SyncHints.None, default);
                diskRestores += f.Traffic.DiskRestores;
                output.WriteLine($"edit at {at}: restored {f.RestoredFrom} (disk {f.Traffic.DiskRestores}, spared {f.Traffic.DiskTokensSpared}), decoded {f.Decoded}, spilled {f.Traffic.Spilled}");
                AssertSameLogits(backend.Logits(), reference.DecodeFresh(tokens), $"edit at {at}");
            }

            Assert.True(Directory.Exists(tierFolder));
        }

        Assert.True(diskRestores > 0, "no rollback read the disk tier");
        Assert.False(Directory.Exists(tierFolder), "the tier's folder goes with the session");
    }

    /// <summary>Our policy's saves under a budget of two states (smaller than the setting's unit, a MiB); the oldest checkpoint goes first.</summary>
    private sealed class TwoStateBudget(ICheckpointPolicy inner) : ICheckpointPolicy
    {
        private long _budget = long.MaxValue;

        public string Name => inner.Name;

        public long MemoryBudgetBytes => _budget;

        public void PlanSaves(in SavePlan plan, IReadOnlyList<Checkpoint> kept, List<int> positions) => inner.PlanSaves(plan, kept, positions);

        public Admission Admit(in SavePlan plan, IReadOnlyList<Checkpoint> kept, int position, long bytes)
        {
            // The first call asks for one state's room alone (later ones add the writes in flight).
            _budget = _budget == long.MaxValue ? 2 * bytes : _budget;
            return bytes + kept.Sum(c => c.Bytes) <= _budget ? Admission.Save : kept.Count == 0 ? Admission.Skip : Admission.Evict(0);
        }
    }

    private static void AssertSameLogits(Span<float> actual, float[] expected, string where)
    {
        float scale = Math.Max(1f, expected.Max(Math.Abs));
        float diff = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            diff = Math.Max(diff, Math.Abs(expected[i] - actual[i]));
        }

        Assert.True(diff <= 1e-3f * scale, $"{where}: logits differ by {diff} (scale {scale})");
    }
}
