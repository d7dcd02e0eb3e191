namespace LspLlama.Core.Context.Formats;

/// <summary>
/// DeepSeek-Coder V1 and V2: <c>&lt;｜fim▁begin｜&gt;prefix&lt;｜fim▁hole｜&gt;suffix&lt;｜fim▁end｜&gt;</c> after BOS
/// (note the naming: "begin" opens the prefix, "hole" the suffix, "end" the middle), PSM. It has no
/// file tokens: as in the DeepSeek-Coder repository-completion example, each file starts with a
/// <c>#path</c> comment line, the active one inside the prefix.
/// </summary>
public sealed class DeepSeekCoderFormat(VocabularyLookup vocab, ContextSettings settings) : PromptFormat(vocab, settings, Spec(vocab))
{
    public const string FormatName = "deepseek-coder";

    public override string Name => FormatName;

    public override string Family => "DeepSeek-Coder V1 / V2";

    internal static string? Detect(VocabularyLookup v) =>
        v.Find("<｜fim▁begin｜>") is int p ? $"FIM prefix {v.Describe(p)}" : null;

    private static FormatSpec Spec(VocabularyLookup v) =>
        new(new FimMarkers(
            v.Find("<｜fim▁begin｜>") ?? v.Special.FimPrefix,
            v.Find("<｜fim▁hole｜>") ?? v.Special.FimSuffix,
            v.Find("<｜fim▁end｜>") ?? v.Special.FimMiddle))
        {
            PlainHeader = "#{0}\n",
            PathAfterPrefixMarker = true,
            StopTexts = ["<｜end▁of▁sentence｜>", "<|EOT|>"],
        };
}
