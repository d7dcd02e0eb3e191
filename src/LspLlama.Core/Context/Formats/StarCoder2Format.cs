namespace LspLlama.Core.Context.Formats;

/// <summary>
/// StarCoder2 (BigCode): <c>&lt;repo_name&gt;name</c>, then <c>&lt;file_sep&gt;path\ntext</c> per file; the active
/// file is <c>&lt;file_sep&gt;&lt;fim_prefix&gt;path\nprefix&lt;fim_suffix&gt;suffix&lt;fim_middle&gt;</c>, its path inside
/// the prefix, as the StarCoder2 paper lays out repository-level FIM. Trained on PSM and SPM: PSM with
/// the cursor's line after the middle marker, SPM (<c>&lt;fim_prefix&gt;&lt;fim_suffix&gt;suffix&lt;fim_middle&gt;prefix</c>)
/// when <c>context.cursorLineInMiddle</c> is off. llama.cpp does not report its repository tokens.
/// </summary>
public sealed class StarCoder2Format(VocabularyLookup vocab, ContextSettings settings) : PromptFormat(vocab, settings, Spec(vocab))
{
    public const string FormatName = "starcoder2";

    public override string Name => FormatName;

    public override string Family => "StarCoder2";

    internal static string? Detect(VocabularyLookup v) =>
        v.Find("<fim_prefix>") is int p ? $"FIM prefix {v.Describe(p)}" + PromptFormats.Also(v, "<repo_name>", "<file_sep>") : null;

    private static FormatSpec Spec(VocabularyLookup v) =>
        new(new FimMarkers(
                v.Find("<fim_prefix>") ?? v.Special.FimPrefix,
                v.Find("<fim_suffix>") ?? v.Special.FimSuffix,
                v.Find("<fim_middle>") ?? v.Special.FimMiddle),
            v.Find("<repo_name>") ?? v.Special.FimRepo,
            v.Find("<file_sep>") ?? v.Special.FimFileSeparator)
        {
            RepoLine = "{0}",
            PathAfterPrefixMarker = true,
            AutoOrder = s => s.CursorLineInMiddle ? FimLayout.Psm : FimLayout.Spm,
            StopTexts = ["<|endoftext|>", "<fim_pad>"],
        };
}
