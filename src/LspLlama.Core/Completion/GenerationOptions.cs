namespace LspLlama.Core.Completion;

/// <summary>Limits of one generation. Defaults suit inline completion on a local model.</summary>
public sealed record GenerationOptions
{
    /// <summary>At most this many generated tokens.</summary>
    public int MaxTokens { get; init; } = 128;

    /// <summary>Generation stops once this much time has passed since it started.</summary>
    public TimeSpan TimeBudget { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Columns of a tab, for comparing indentation that mixes tabs and spaces.</summary>
    public int TabSize { get; init; } = 4;

    /// <summary>How the next token is chosen; the inference adapter maps this to its sampler chain.</summary>
    public SamplingOptions Sampling { get; init; } = SamplingOptions.Greedy;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        if (MaxTokens < 1)
        {
            throw new ArgumentException($"maxTokens must be at least 1 (got {MaxTokens}).");
        }

        if (TimeBudget <= TimeSpan.Zero)
        {
            throw new ArgumentException($"timeBudget must be positive (got {TimeBudget.TotalMilliseconds} ms).");
        }

        if (TabSize < 1)
        {
            throw new ArgumentException($"tabSize must be at least 1 (got {TabSize}).");
        }

        Sampling.Validate();
    }
}

/// <summary>
/// Sampling settings. A temperature of zero (the default) means greedy: always the most likely
/// token, so the same context always gives the same suggestion (which the result cache relies on).
/// </summary>
/// <param name="Temperature">0 for greedy; otherwise the softmax temperature.</param>
/// <param name="TopK">Keep the K most likely tokens (0 = no limit). Ignored when greedy.</param>
/// <param name="TopP">Keep the smallest set whose probability reaches P (1 = no limit). Ignored when greedy.</param>
/// <param name="Seed">Random seed for reproducible sampling; null picks one.</param>
public sealed record SamplingOptions(float Temperature = 0, int TopK = 40, float TopP = 0.95f, uint? Seed = null)
{
    public static SamplingOptions Greedy { get; } = new();

    public bool IsGreedy => Temperature <= 0;

    public void Validate()
    {
        if (float.IsNaN(Temperature) || Temperature < 0)
        {
            throw new ArgumentException($"temperature must be 0 (greedy) or positive (got {Temperature}).");
        }

        if (TopK < 0)
        {
            throw new ArgumentException($"topK must be 0 (no limit) or positive (got {TopK}).");
        }

        if (!(TopP > 0 && TopP <= 1))
        {
            throw new ArgumentException($"topP must be in (0, 1] (got {TopP}).");
        }
    }
}
