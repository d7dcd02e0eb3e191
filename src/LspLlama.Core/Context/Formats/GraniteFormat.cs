namespace LspLlama.Core.Context.Formats;

/// <summary>
/// IBM Granite code models (and StarCoder 1, whose tokens they share): <c>&lt;fim_prefix&gt;…&lt;fim_suffix&gt;…&lt;fim_middle&gt;</c>
/// in PSM, as the Granite model cards show, and <c>&lt;filename&gt;path\ntext</c> for other files when the
/// vocabulary has that token. No repository line: the cards document none.
/// </summary>
public sealed class GraniteFormat(VocabularyLookup vocab, ContextSettings settings) : PromptFormat(vocab, settings, Spec(vocab))
{
    public const string FormatName = "granite";

    public override string Name => FormatName;

    public override string Family => "Granite (and StarCoder 1)";

    /// <summary>BigCode's FIM spelling with a Granite architecture or name, or with StarCoder 1's <c>&lt;filename&gt;</c> and no StarCoder2 <c>&lt;file_sep&gt;</c>.</summary>
    internal static string? Detect(VocabularyLookup v)
    {
        if (v.Find("<fim_prefix>") is not int p)
        {
            return null;
        }

        if (v.Facts.Mentions("granite"))
        {
            return $"FIM prefix {v.Describe(p)} and a Granite model";
        }

        return v.Find("<filename>") is int f && v.Find("<file_sep>") is null
            ? $"FIM prefix {v.Describe(p)} with StarCoder 1's file token {v.Describe(f)} (no <file_sep>)"
            : null;
    }

    private static FormatSpec Spec(VocabularyLookup v) =>
        new(new FimMarkers(
                v.Find("<fim_prefix>") ?? v.Special.FimPrefix,
                v.Find("<fim_suffix>") ?? v.Special.FimSuffix,
                v.Find("<fim_middle>") ?? v.Special.FimMiddle),
            Repo: null,
            FileSeparator: v.Find("<filename>"))
        {
            StopTexts = ["<|end_of_text|>", "<|endoftext|>", "<fim_pad>", "<reponame>"],
        };
}
