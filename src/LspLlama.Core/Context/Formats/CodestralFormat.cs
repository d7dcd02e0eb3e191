namespace LspLlama.Core.Context.Formats;

/// <summary>
/// Codestral and other Mistral FIM models: <c>[SUFFIX]suffix[PREFIX]prefix</c> after BOS, and the model
/// writes the middle right after the prefix (mistral-common's FIM request; no middle marker, SPM only).
/// llama.cpp reports none of these tokens as FIM tokens, so they are found by their text. No file
/// tokens: plain headers.
/// </summary>
public sealed class CodestralFormat(VocabularyLookup vocab, ContextSettings settings) : PromptFormat(vocab, settings, Spec(vocab))
{
    public const string FormatName = "codestral";

    public override string Name => FormatName;

    public override string Family => "Codestral / Mistral";

    internal static string? Detect(VocabularyLookup v) =>
        v.Find("[SUFFIX]") is int s && v.Find("[PREFIX]") is int p ? $"suffix {v.Describe(s)} and prefix {v.Describe(p)} tokens" : null;

    private static FormatSpec Spec(VocabularyLookup v) =>
        new(new FimMarkers(
            v.Find("[PREFIX]") ?? v.Special.FimPrefix,
            v.Find("[SUFFIX]") ?? v.Special.FimSuffix,
            v.Find("[MIDDLE]")))
        {
            SuffixFirst = true,
            AutoOrder = _ => FimLayout.Spm,
            StopTexts = ["</s>", "[MIDDLE]"],
        };
}
