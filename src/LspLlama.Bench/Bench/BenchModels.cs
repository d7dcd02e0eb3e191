using System.Globalization;
using LspLlama.Models;

namespace LspLlama.Bench;

/// <summary>
/// The model a benchmark runs on: the file given with <c>--model</c>, or a real model's preset
/// (<c>--model-like NAME</c>: tiny compute, the real model's checkpoint size, memory kind and layer
/// pattern), built once and cached in the temp folder like the benches' default tiny models.
/// </summary>
public static class BenchModels
{
    /// <summary>The preset named by <c>--model-like</c>; a clear usage error for an unknown name.</summary>
    public static ModelPreset Preset(string name) =>
        ModelPresets.Find(name) ?? throw new ArgumentException($"unknown model '{name}' for --model-like; choose one of: {ModelPresets.Names}");

    /// <summary>
    /// The path of <paramref name="options"/>' model in the cache, built when missing (written to a
    /// partial file first, so an interrupted build never leaves a broken model there).
    /// </summary>
    public static string Cached(ModelBuildOptions options, TextWriter log, string? describe = null)
    {
        string path = Path.Combine(Path.GetTempPath(), "lspllama-bench", "models", SafeName(options.Describe()) + ".gguf");
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            string partial = path + $".{Environment.ProcessId}.partial";
            TinyModelBuilder.Build(options, partial);
            File.Move(partial, path, overwrite: true);
            log.WriteLine($"built {describe ?? "a tiny model"} ({options.Describe()}) at {path}");
        }

        return path;
    }

    /// <summary>
    /// The model file for a benchmark: <paramref name="modelPath"/> when given, else the preset
    /// <paramref name="like"/>, else <paramref name="fallback"/>. The two options exclude each other.
    /// </summary>
    public static string Resolve(string? modelPath, string? like, ModelBuildOptions fallback, TextWriter log)
    {
        if (modelPath is not null && like is not null)
        {
            throw new ArgumentException("--model and --model-like exclude each other");
        }

        if (modelPath is not null)
        {
            return modelPath;
        }

        if (like is null)
        {
            return Cached(fallback, log);
        }

        ModelPreset preset = Preset(like);
        return Cached(preset.Options, log, $"a model like {preset.Name}");
    }

    private static string SafeName(string s) =>
        string.Concat(s.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-')).ToLower(CultureInfo.InvariantCulture);
}
