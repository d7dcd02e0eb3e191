using LspLlama.Core.Session;
using LspLlama.Engine;
using LspLlama.Server.Settings;
using LspLlama.Tests.Support;
using Xunit;

namespace LspLlama.Tests.Engine;

/// <summary>
/// The server's context keeps llama.cpp's recurrent rollback states where the architecture has them
/// (qwen35): a keystroke's sync then cuts the last tokens and copies no checkpoint.
/// </summary>
public sealed class RecurrentRollbackTests
{
    private static LoadedModel Load(TinyArch arch) => LoadedModel.Load(
        TinyModels.Get(arch),
        new ModelSettings(TinyModels.Get(arch), ContextSize: 512, BatchSize: 64, MicroBatchSize: 64, Threads: 2),
        new CheckpointSection("lspllama", new CheckpointSettings(MinSpacingTokens: 16, IntervalTokens: 64)));

    private static readonly SyncHints s_hints = new([0], 80, 98);

    [Fact]
    public void A_keystroke_on_qwen35_cuts_the_last_tokens_instead_of_restoring_a_checkpoint()
    {
        using LoadedModel model = Load(TinyArch.Qwen35);
        Assert.Equal((int)LoadedModel.RecurrentRollbackTokens, model.Backend.Probe.RollbackSnapshots);
        int[] typed = [.. Enumerable.Range(1, 100)];
        model.Session.Sync(typed, s_hints, CancellationToken.None);

        // The last two tokens change, as a keystroke that merges into the token before the cursor does.
        typed[98] = 150;
        typed[99] = 151;
        SyncFigures keystroke = model.Session.Sync(typed, s_hints, CancellationToken.None);

        Assert.Equal(98, keystroke.Kept);
        Assert.Equal(2, keystroke.Decoded);
        Assert.Equal(0, keystroke.Traffic.Restored);
        Assert.Equal(0, keystroke.Traffic.BytesRestored);
    }

    [Fact]
    public void Other_hybrid_models_restore_a_checkpoint_as_before()
    {
        using LoadedModel model = Load(TinyArch.GraniteHybrid);
        Assert.Equal(0, model.Backend.Probe.RollbackSnapshots);
        int[] typed = [.. Enumerable.Range(1, 100)];
        model.Session.Sync(typed, s_hints, CancellationToken.None);
        typed[98] = 150;
        typed[99] = 151;
        SyncFigures keystroke = model.Session.Sync(typed, s_hints, CancellationToken.None);

        Assert.Equal(1, keystroke.Traffic.Restored);
        Assert.True(keystroke.Traffic.BytesRestored > 0);
    }
}
