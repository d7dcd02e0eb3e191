using System.Text.Json;
using LspLlama.Bench;
using LspLlama.Core.Session;

namespace LspLlama.Cli;

/// <summary>
/// `lspllama bench-session`: a long context on a tiny granitehybrid model (or --model), typing
/// at a cursor in the last segment and edits in earlier ones, replayed under several checkpoint
/// policies; prints tokens decoded against the ideal and the time spent, side by side.
/// </summary>
internal sealed class BenchSessionCommand : ICommand
{
    public string Name => "bench-session";

    public string Summary => "compare checkpoint policies on a long hybrid-model context ([--model F.gguf | --model-like NAME] [--json FILE])";

    public Task<int> RunAsync(ArgReader args)
    {
        var defaults = new SessionBenchOptions();
        var checkpoints = new CheckpointSettings(
            args.Int("--max-memory-mib", defaults.Checkpoints.MaxMemoryMiB),
            args.Int("--min-spacing", defaults.Checkpoints.MinSpacingTokens),
            args.Int("--interval", defaults.Checkpoints.IntervalTokens));
        var options = new SessionBenchOptions
        {
            ModelPath = args.Option("--model"),
            ModelLike = args.Option("--model-like"),
            Tokens = args.Int("--tokens", defaults.Tokens),
            Segments = args.Int("--segments", defaults.Segments),
            ActiveTokens = args.Int("--active", defaults.ActiveTokens),
            SuffixTokens = args.Int("--suffix", defaults.SuffixTokens),
            Keystrokes = args.Int("--keystrokes", defaults.Keystrokes),
            EditEvery = args.Int("--edit-every", defaults.EditEvery),
            Generate = args.Int("--generate", defaults.Generate),
            BatchSize = args.Int("--batch", defaults.BatchSize),
            MicroBatchSize = args.Int("--ubatch", defaults.MicroBatchSize),
            Threads = args.Int("--threads", defaults.Threads),
            Seed = args.Int("--seed", defaults.Seed),
            Policies = args.Option("--policies")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? defaults.Policies,
            Checkpoints = checkpoints,
        };
        string? json = args.Option("--json");
        args.EnsureAllUsed();
        string problems = string.Join("; ", options.Problems());
        if (problems.Length > 0)
        {
            throw new UsageException(problems);
        }

        try
        {
            checkpoints.Validated();
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }

        if (options.ModelPath is { } model && !File.Exists(model))
        {
            throw new UsageException($"--model '{model}' does not exist");
        }

        SessionBenchReport report = SessionBench.Run(options, line => Console.Error.WriteLine($"bench-session: {line}"));
        Console.Error.WriteLine(report.ToTable());
        if (json is not null)
        {
            File.WriteAllText(json, JsonSerializer.Serialize(report, s_json));
            Console.Error.WriteLine($"bench-session: wrote {json}");
        }

        return Task.FromResult(0);
    }

    private static readonly JsonSerializerOptions s_json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
}
