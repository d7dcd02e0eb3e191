namespace LspLlama.Core.Tokens;

/// <summary>
/// What the model file says about itself, as far as the prompt format cares: the GGUF keys
/// <c>general.architecture</c>, <c>tokenizer.ggml.pre</c> and <c>general.name</c> (null when absent).
/// </summary>
public sealed record ModelFacts(string? Architecture, string? PreTokenizer, string? Name)
{
    public static ModelFacts Unknown { get; } = new(null, null, null);

    /// <summary>True when the architecture or the name contains <paramref name="word"/> (case-insensitive).</summary>
    public bool Mentions(string word) =>
        (Architecture?.Contains(word, StringComparison.OrdinalIgnoreCase) ?? false)
        || (Name?.Contains(word, StringComparison.OrdinalIgnoreCase) ?? false);

    /// <summary>The facts as one line for the detection reason (only those present).</summary>
    public string Describe()
    {
        var parts = new List<string>(3);
        if (Architecture is not null)
        {
            parts.Add($"general.architecture {Architecture}");
        }

        if (PreTokenizer is not null)
        {
            parts.Add($"tokenizer.ggml.pre {PreTokenizer}");
        }

        if (Name is not null)
        {
            parts.Add($"general.name '{Name}'");
        }

        return parts.Count == 0 ? "no model metadata" : string.Join(", ", parts);
    }
}
