using LspLlama.Core.Session;

namespace LspLlama.Bench;

/// <summary>Settings of `lspllama bench-session`.</summary>
public sealed record SessionBenchOptions
{
    public string? ModelPath { get; init; }

    /// <summary>A real model's preset (<c>--model-like</c>) to build and run on instead of <see cref="ModelPath"/>.</summary>
    public string? ModelLike { get; init; }

    public int Tokens { get; init; } = 32768;

    public int Segments { get; init; } = 8;

    /// <summary>Tokens of the active file in the prompt (prefix + suffix window + FIM markers).</summary>
    public int ActiveTokens { get; init; } = 3072;

    public int SuffixTokens { get; init; } = 256;

    public int Keystrokes { get; init; } = 48;

    /// <summary>An edit in an earlier segment after every this many keystrokes (0: none).</summary>
    public int EditEvery { get; init; } = 8;

    /// <summary>Tokens generated after each request (they join the held sequence).</summary>
    public int Generate { get; init; } = 4;

    public int BatchSize { get; init; } = 2048;

    public int MicroBatchSize { get; init; } = 512;

    public int Threads { get; init; } = Math.Max(1, Environment.ProcessorCount);

    public int Seed { get; init; } = 1;

    public IReadOnlyList<string> Policies { get; init; } = ["lspllama", "none", "end-only"];

    public CheckpointSettings Checkpoints { get; init; } = new();

    public IEnumerable<string> Problems()
    {
        if (ModelLike is not null && Models.ModelPresets.Find(ModelLike) is null)
        {
            yield return $"unknown model '{ModelLike}' for --model-like; choose one of: {Models.ModelPresets.Names}";
        }

        if (ModelLike is not null && ModelPath is not null)
        {
            yield return "--model and --model-like exclude each other";
        }

        if (Segments < 2)
        {
            yield return "--segments must be at least 2";
        }

        if (SuffixTokens < 1 || ActiveTokens < SuffixTokens + 16)
        {
            yield return "--active must exceed --suffix by at least 16 tokens";
        }

        if (Tokens < ActiveTokens + (Segments * 16))
        {
            yield return "--tokens leaves too little for the other segments";
        }

        if (Keystrokes < 1 || EditEvery < 0 || Generate < 0 || BatchSize < 1 || MicroBatchSize < 1 || Threads < 1)
        {
            yield return "counts must be positive";
        }

        foreach (string p in Policies)
        {
            if (!CheckpointPolicies.Names.Contains(p))
            {
                yield return $"unknown policy '{p}' (known: {string.Join(", ", CheckpointPolicies.Names)})";
            }
        }
    }
}
