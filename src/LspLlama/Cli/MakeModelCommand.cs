using System.Diagnostics;
using System.Globalization;
using LspLlama.Models;

namespace LspLlama.Cli;

/// <summary>
/// <c>lspllama make-model</c>: writes a tiny random-weight model, so users can reproduce issues and
/// the bench has a model when none is configured.
/// </summary>
internal sealed class MakeModelCommand : ICommand
{
    public string Name => "make-model";

    public string Summary =>
        "write a tiny random-weight model: --arch <" + string.Join('|', Enum.GetValues<ModelArch>().Select(a => a.GgufName())) +
        "> -o <file.gguf> [--layers 2] [--embd 64] [--ctx 65536] [--vocab bpe|<file.gguf>] [--seed 1]";

    public Task<int> RunAsync(ArgReader args)
    {
        ModelBuildOptions options = ReadOptions(args, out string output);
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
        return Task.FromResult(0);
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
        string? seedText = args.Option("--seed");
        ulong seed = 1;
        if (seedText is not null && !ulong.TryParse(seedText, NumberStyles.Integer, CultureInfo.InvariantCulture, out seed))
        {
            throw new UsageException($"--seed takes a non-negative whole number, not '{seedText}'");
        }

        return new ModelBuildOptions
        {
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
        };
    }

    private static int? OptionalInt(ArgReader args, string name)
    {
        int value = args.Int(name, int.MinValue);
        return value == int.MinValue ? null : value;
    }
}
