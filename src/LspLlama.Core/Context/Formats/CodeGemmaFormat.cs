namespace LspLlama.Core.Context.Formats;

/// <summary>
/// CodeGemma: <c>&lt;|fim_prefix|&gt;…&lt;|fim_suffix|&gt;…&lt;|fim_middle|&gt;</c> after BOS, PSM, and
/// <c>&lt;|file_separator|&gt;</c> between files (Google's CodeGemma prompt-structure page), here with the
/// path on the line after it. The file separator also ends a completion.
/// </summary>
public sealed class CodeGemmaFormat(VocabularyLookup vocab, ContextSettings settings) : PromptFormat(vocab, settings, Spec(vocab))
{
    public const string FormatName = "codegemma";

    public override string Name => FormatName;

    public override string Family => "CodeGemma";

    internal static string? Detect(VocabularyLookup v) =>
        v.Find("<|fim_prefix|>") is int p && v.Find("<|file_separator|>") is int f
            ? $"FIM prefix {v.Describe(p)} with the file separator {v.Describe(f)}"
            : null;

    private static FormatSpec Spec(VocabularyLookup v) =>
        new(new FimMarkers(
                v.Find("<|fim_prefix|>") ?? v.Special.FimPrefix,
                v.Find("<|fim_suffix|>") ?? v.Special.FimSuffix,
                v.Find("<|fim_middle|>") ?? v.Special.FimMiddle),
            Repo: null,
            FileSeparator: v.Find("<|file_separator|>"))
        {
            StopTexts = ["<eos>", "<end_of_turn>", "<|fim_pad|>"],
        };
}
