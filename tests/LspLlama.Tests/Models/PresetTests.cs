using LspLlama.Llama;
using LspLlama.Models;
using LspLlama.Native;
using Xunit;

namespace LspLlama.Tests.Models;

/// <summary>
/// Each <c>make-model --like</c> preset, built and measured by llama.cpp, weighs within 10% of its
/// real model's checkpoint. Models of this size are built in a temp folder and removed after the test.
/// </summary>
public sealed class PresetTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("lspllama-presets-").FullName;

    public static TheoryData<string> Names => new(ModelPresets.All.Select(p => p.Name));

    [Theory]
    [MemberData(nameof(Names))]
    public void A_preset_checkpoint_weighs_what_the_real_models_does(string name)
    {
        NativeLogRouting.EnsureConfigured();
        ModelPreset preset = ModelPresets.Find(name)!;
        (ModelBuildOptions options, long target, int context, int tokens) = Measurable(preset);
        string path = Path.Combine(_folder, name + ".gguf");

        TinyModelBuilder.Build(options, path);
        long measured = CheckpointSizeProbe.Measure(path, context, tokens);

        Assert.InRange(measured, (long)(target * 0.9), (long)(target * 1.1));
    }

    [Fact]
    public void Presets_keep_the_memory_kind_of_their_real_models()
    {
        Assert.Equal(ModelArch.GraniteHybrid, ModelPresets.Find("granite-4.0-h-small")!.Options.Arch);
        Assert.Equal(ModelArch.GraniteHybrid, ModelPresets.Find("granite-4.0-h-tiny")!.Options.Arch);
        Assert.Equal(ModelArch.Qwen35, ModelPresets.Find("qwen3.6-35b-a3b")!.Options.Arch);
        Assert.Equal(ModelArch.Qwen35, ModelPresets.Find("qwen3.5-9b")!.Options.Arch);
        Assert.Equal(ModelArch.Lfm2, ModelPresets.Find("lfm2-2.6b")!.Options.Arch);
        Assert.Equal(ModelArch.Gemma2, ModelPresets.Find("gemma-3-4b")!.Options.Arch);
        Assert.All(ModelPresets.All, p => Assert.Empty(ArchitectureSpec.Problems(p.Options)));
    }

    /// <summary>
    /// A sliding-window checkpoint is the window's cells times the bytes of one cell over the SWA layers;
    /// filling a 1024-token window over 58 layers takes a minute here, so the test keeps the preset's
    /// layers and heads (what a cell weighs) and fills a window an eighth as long, against an eighth of the target.
    /// </summary>
    private static (ModelBuildOptions Options, long Target, int Context, int Tokens) Measurable(ModelPreset preset)
    {
        if (preset.Options.SlidingWindow is not { } window)
        {
            return (preset.Options, preset.TargetBytes, preset.MeasureContext, preset.MeasureTokens);
        }

        const int Shrink = 8;
        int small = window / Shrink;
        return (preset.Options with { SlidingWindow = small }, preset.TargetBytes / Shrink, small + 512, small + 256);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
