using System.Diagnostics;
using System.Globalization;
using LspLlama.Llama;
using LspLlama.Models;

namespace LspLlama.Cli;

/// <summary>
/// <c>lspllama make-model</c>: writes a tiny random-weight model, so users can reproduce issues and
/// the bench has a model when none is configured. <c>--like NAME</c> builds a preset whose checkpoints
/// weigh what the named real model's do; either way it prints what one checkpoint weighs.
/// </summary>
internal sealed class MakeModelCommand : ICommand
{
    public string Name => "make-model";

    public string Summary =>
        "write a tiny random-weight model: --arch <" + string.Join('|', Enum.GetValues<ModelArch>().Select(a => a.GgufName())) +
        "> -o <file.gguf> | --like <" + string.Join('|', ModelPresets.All.Select(p => p.Name)) + "> -o <file.gguf>; [--layers 2] [--embd 64] [--ctx 65536] [--vocab bpe|<file.gguf>] [--seed 1] " +
        "[--special-tokens T1,T2,… [--bos T] [--eos T] [--add-bos]] [--name NAME]";

    public Task<int> RunAsync(ArgReader args)
    {
        ModelPreset? preset = ReadPreset(args);
        ModelBuildOptions options = preset is null ? ReadOptions(args, out string output) : ReadPresetOptions(args, preset, out output);
        args.EnsureAllUsed();
        var stopwatch = Stopwatch.StartNew();
        try
        {
            // A new folder is made, as any tool writing one file does; a bad name still fails below.
            string? folder = Path.GetDirectoryName(Path.GetFullPath(output));
            if (folder is not null)
            {
                Directory.CreateDirectory(folder);
            }

            TinyModelBuilder.Build(options, output);
        }
        catch (Exception e) when (e is ModelBuildException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"lspllama {Name}: {e.Message}");
            return Task.FromResult(1);
        }

        long bytes = new FileInfo(output).Length;
        Console.Error.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"wrote {output}: {options.Arch.GgufName()}, {options.Layers} layers, embedding {options.Embedding}, " +
            $"{(options.VocabPath is null ? "generated BPE vocabulary" : "vocabulary of " + options.VocabPath)}, seed {options.Seed}, " +
            $"{bytes / 1048576.0:F1} MiB in {stopwatch.Elapsed.TotalSeconds:F2} s"));

        (int context, int tokens) = preset is null ? MeasureSize(options) : (preset.MeasureContext, preset.MeasureTokens);
        long checkpoint = CheckpointSizeProbe.Measure(output, context, tokens);
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"one checkpoint: {checkpoint} bytes ({checkpoint / 1048576.0:F2} MiB)"));
        if (preset is not null)
        {
            Console.Error.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"like {preset.Name}: {preset.TargetBytes} bytes ({preset.TargetBytes / 1048576.0:F2} MiB), {100.0 * checkpoint / preset.TargetBytes:F1}% of it. " +
                $"{preset.RealModel}. Here: {preset.HowReached}."));
        }

        return Task.FromResult(0);
    }

    /// <summary>Context and tokens to measure a checkpoint with: a sliding window is measured full.</summary>
    internal static (int Context, int Tokens) MeasureSize(ModelBuildOptions options)
    {
        if (options.Arch == ModelArch.Gemma2)
        {
            int window = options.SlidingWindow ?? 32;
            return (Math.Min(options.ContextLength, (2 * window) + 512), Math.Min(options.ContextLength - 1, window + 256));
        }

        return (256, 8);
    }

    private static ModelPreset? ReadPreset(ArgReader args)
    {
        string? name = args.Option("--like");
        if (name is null)
        {
            return null;
        }

        return ModelPresets.Find(name) ?? throw new UsageException($"unknown model '{name}' for --like; choose one of: {ModelPresets.Names}");
    }

    /// <summary>A preset's options; only the output, seed and vocabulary can be chosen with it.</summary>
    internal static ModelBuildOptions ReadPresetOptions(ArgReader args, ModelPreset preset, out string output)
    {
        output = args.Option("--output", "-o") ?? throw new UsageException("-o <file.gguf> is required");
        string? vocab = args.Option("--vocab");
        return preset.Options with { Seed = ReadSeed(args), VocabPath = vocab is null or "bpe" ? null : vocab };
    }

    private static ulong ReadSeed(ArgReader args)
    {
        string? seedText = args.Option("--seed");
        ulong seed = 1;
        if (seedText is not null && !ulong.TryParse(seedText, NumberStyles.Integer, CultureInfo.InvariantCulture, out seed))
        {
            throw new UsageException($"--seed takes a non-negative whole number, not '{seedText}'");
        }

        return seed;
    }

    /// <summary>Parses the options; a wrong value is a <see cref="UsageException"/> naming it.</summary>
    internal static ModelBuildOptions ReadOptions(ArgReader args, out string output)
    {
        string archName = args.Option("--arch") ?? throw new UsageException("--arch is required (" + ModelArchNames.AllNames + ")");
        if (!ModelArchNames.TryParse(archName, out ModelArch arch))
        {
            throw new UsageException($"unknown architecture '{archName}'; choose one of: {ModelArchNames.AllNames}");
        }

        output = args.Option("--output", "-o") ?? throw new UsageException("-o <file.gguf> is required");
        string? vocab = args.Option("--vocab");
        ulong seed = ReadSeed(args);

        string? special = args.Option("--special-tokens");
        string? bos = args.Option("--bos");
        string? eos = args.Option("--eos");
        bool addBos = args.Flag("--add-bos");
        if (special is null && (bos is not null || eos is not null || addBos))
        {
            throw new UsageException("--bos, --eos and --add-bos go with --special-tokens");
        }

        return new ModelBuildOptions
        {
            SpecialTokens = special is null ? null : new FamilyTokens(special.Split(','), bos, eos, addBos),
            ModelName = args.Option("--name"),
            Arch = arch,
            Layers = args.Int("--layers", 2),
            Embedding = args.Int("--embd", 64),
            ContextLength = args.Int("--ctx", 65536),
            Seed = seed,
            VocabPath = vocab is null or "bpe" ? null : vocab,
            HeadCount = OptionalInt(args, "--heads"),
            KvHeadCount = OptionalInt(args, "--kv-heads"),
            FeedForward = OptionalInt(args, "--ff"),
            SsmInnerSize = OptionalInt(args, "--ssm-inner"),
            SsmStateSize = OptionalInt(args, "--ssm-state"),
            SlidingWindow = OptionalInt(args, "--window"),
            LinearValueHeads = OptionalInt(args, "--linear-value-heads"),
            LinearKeyHeads = OptionalInt(args, "--linear-key-heads"),
            HeadDim = OptionalInt(args, "--head-dim"),
            ShortConvLength = OptionalInt(args, "--conv-length"),
            FullAttentionInterval = OptionalInt(args, "--attention-interval"),
        };
    }

    private static int? OptionalInt(ArgReader args, string name)
    {
        int value = args.Int(name, int.MinValue);
        return value == int.MinValue ? null : value;
    }
}
