using LspLlama.Core.Session;
using Xunit;

namespace LspLlama.Core.Tests.Session;

public sealed class SessionAllocationTests
{
    [Fact]
    public void Taking_checkpoints_allocates_nothing_in_steady_state()
    {
        const int stateBytes = 256 * 1024;
        var backend = new FakeBackend(MemoryKind.Hybrid, contextSize: 1024, batchSize: 64, recurrentBytes: stateBytes) { RecordDecodes = false };
        var session = new ModelSession(backend, CheckpointPolicies.Create("lspllama", new CheckpointSettings(MaxMemoryMiB: 64, MinSpacingTokens: 8, IntervalTokens: 64)));

        // Typing at one spot in the last of three segments: every keystroke changes the token
        // after the cursor line start, so each sync restores a checkpoint and saves new ones after it.
        int[][] steps = new int[40][];
        var hints = new SyncHints[40];
        int[] tokens = ModelSessionTests.Tokens(600);
        for (int i = 0; i < steps.Length; i++)
        {
            tokens[560] = i % 50;
            tokens[561] = (i * 7) % 50;
            steps[i] = [.. tokens];
            hints[i] = new SyncHints([0, 200, 400], 555, 562);
        }

        for (int i = 0; i < 20; i++)
        {
            session.Sync(steps[i], hints[i], default);
        }

        // Measured over up to three rounds: the runtime itself may allocate on this thread now and
        // then (tiered JIT recompiling a hot method under load); a pooling bug allocates every round.
        int saved = 0;
        long allocated = long.MaxValue;
        for (int round = 0; round < 3 && allocated >= 1024; round++)
        {
            saved = 0;
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 20; i < 40; i++)
            {
                saved += session.Sync(steps[(i + round) % 40], hints[i], default).CheckpointsSaved;
            }

            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }

        Assert.True(saved >= 20, $"only {saved} checkpoints saved: the test would not see pooling");
        Assert.True(allocated < 1024, $"{allocated} bytes allocated over 20 syncs that saved {saved} checkpoints of {stateBytes} bytes");
    }
}
