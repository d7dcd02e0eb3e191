namespace LspLlama.Core.Context.Formats;

/// <summary>
/// Qwen2.5-Coder and Qwen3-Coder: <c>&lt;|repo_name|&gt;name\n</c>, then <c>&lt;|file_sep|&gt;path\ntext</c>
/// per file, the active one followed by <c>&lt;|fim_prefix|&gt;…&lt;|fim_suffix|&gt;…&lt;|fim_middle|&gt;</c>
/// (the repository-level layout of the Qwen2.5-Coder model card; trained on PSM).
/// </summary>
public sealed class QwenCoderFormat(VocabularyLookup vocab, ContextSettings settings) : PromptFormat(vocab, settings, Spec(vocab))
{
    public const string FormatName = "qwen-coder";

    public override string Name => FormatName;

    public override string Family => "Qwen2.5-Coder / Qwen3-Coder";

    internal static string? Detect(VocabularyLookup v) =>
        v.Find("<|fim_prefix|>") is int p ? $"FIM prefix {v.Describe(p)}" + PromptFormats.Also(v, "<|repo_name|>", "<|file_sep|>") : null;

    private static FormatSpec Spec(VocabularyLookup v) =>
        new(new FimMarkers(
                v.Find("<|fim_prefix|>") ?? v.Special.FimPrefix,
                v.Find("<|fim_suffix|>") ?? v.Special.FimSuffix,
                v.Find("<|fim_middle|>") ?? v.Special.FimMiddle),
            v.Find("<|repo_name|>") ?? v.Special.FimRepo,
            v.Find("<|file_sep|>") ?? v.Special.FimFileSeparator)
        {
            StopTexts = ["<|endoftext|>", "<|fim_pad|>", "<|im_end|>"],
        };
}
