using LspLlama.Traces;
using System.Globalization;
using LspLlama.Models;

namespace LspLlama.Bench;

/// <summary>
/// Sets up the replay: the model given with --model, or a tiny random-weight granitehybrid model
/// built on the spot (cached in the temp folder), loaded once for all policies.
/// </summary>
public static class ReplayTargets
{
    /// <summary>The tiny model `bench` builds when none is given: hybrid, so checkpoints matter.</summary>
    public static ModelBuildOptions TinyModel { get; } = new() { Arch = ModelArch.GraniteHybrid, Layers = 2, Embedding = 64, Seed = 1 };

    public static ReplayLlamaFactory Create(BenchOptions options, int contextSize, TextWriter log)
    {
        if (options.ModelPath is string given && !File.Exists(given))
        {
            throw new FileNotFoundException($"model file '{given}' does not exist", given);
        }

        string path = BenchModels.Resolve(options.ModelPath, options.ModelLike, TinyModel, log);
        ReplaySettings settings = new(contextSize, Threads: options.Threads ?? Math.Max(1, Environment.ProcessorCount), GeneratePerSync: options.Generate)
        {
            SuffixLines = options.SuffixLines,
            CursorLineInMiddle = options.CursorLineInMiddle,
            KeepClosedFiles = options.KeepClosedFiles,
            Checkpoints = options.Checkpoints,
            ModelLike = options.ModelLike,
            MaxSyncTokens = options.MaxSyncTokens,
        };
        return new ReplayLlamaFactory(path, generated: options.ModelPath is null, settings);
    }

    /// <summary>
    /// n_ctx for a trace: room for its context target with a margin for typing and re-opened
    /// files, rounded to 4096.
    /// </summary>
    public static int ContextSizeFor(BenchOptions options)
    {
        if (options.ContextSize is int given)
        {
            return given;
        }

        int? target = options.TracePath is null ? options.Generator.ContextTokens : GeneratedContextTokens(options.TracePath);
        int wanted = target is int tokens ? (int)(tokens * 1.6) : 32_768;
        return Math.Max(8_192, (wanted + 4_095) / 4_096 * 4_096);
    }

    /// <summary>
    /// The context target a saved generated trace was made for (from its header line), so replaying
    /// it gets the context its generation got; null for recorded or unreadable traces (reading the
    /// whole trace later reports what is wrong with it).
    /// </summary>
    private static int? GeneratedContextTokens(string path)
    {
        try
        {
            using StreamReader reader = new(path);
            return reader.ReadLine() is string line ? TraceJson.ReadHeader(line).Generator?.ContextTokens : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or InvalidOperationException)
        {
            return null;
        }
    }
}
