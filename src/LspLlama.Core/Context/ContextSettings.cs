namespace LspLlama.Core.Context;

/// <summary>How the active document is laid out around the cursor.</summary>
public enum FimLayout
{
    /// <summary>
    /// The order the model's prompt format prefers (see <c>Formats/</c>): SPM for Codestral (trained on
    /// SPM only) and for StarCoder2 when <see cref="ContextSettings.CursorLineInMiddle"/> is off, PSM for
    /// other FIM formats, prefix-only without FIM tokens.
    /// </summary>
    Auto,

    /// <summary>Prefix, suffix, middle: the suffix window follows the cursor, so typing re-decodes it.</summary>
    Psm,

    /// <summary>
    /// Suffix before prefix (<c>&lt;PRE&gt;&lt;SUF&gt;suffix&lt;MID&gt;prefix</c>, or <c>[SUFFIX]suffix[PREFIX]prefix</c> for Mistral
    /// vocabularies): the suffix stays put while typing; a cursor jump re-decodes the whole active prefix.
    /// </summary>
    Spm,

    /// <summary>No FIM: the document up to the cursor.</summary>
    PrefixOnly,
}

/// <summary>Token texts that replace the detected FIM and repository tokens (null: detect from the vocabulary).</summary>
public sealed record FimTokenTexts(
    string? Prefix = null, string? Suffix = null, string? Middle = null, string? RepoName = null, string? FileSeparator = null);

/// <summary>Settings of the context plan. Sizes are in tokens unless named otherwise.</summary>
public sealed record ContextSettings
{
    /// <summary>
    /// The one default context size (the server's <c>model.contextSize</c>, <c>inspect</c>, the plan).
    /// 16384 tokens hold the active file and a dozen others of a few hundred lines; code models are
    /// trained on at least that much, and a 1.5B model's f16 KV cache for it is under half a GiB.
    /// </summary>
    public const int DefaultContextSize = 16384;

    /// <summary>The model context size.</summary>
    public int ContextSize { get; init; } = DefaultContextSize;

    /// <summary>Tokens kept free for the completion itself; the plan never uses them.</summary>
    public int GenerationReserve { get; init; } = 256;

    /// <summary>Lines after the cursor's line in the suffix window; null: 16 for PSM, 64 for SPM.</summary>
    public int? SuffixLines { get; init; }

    /// <summary>
    /// PSM only: the cursor's line up to the cursor follows the middle marker instead of ending the
    /// prefix (<c>&lt;PRE&gt;…lines before&lt;SUF&gt;suffix&lt;MID&gt;typed part of the line</c>), so a
    /// keystroke changes only the last tokens and never re-decodes the suffix window. The prefix
    /// then ends at the token boundary at or before the line start (a tokenizer that merges a line
    /// break with the indentation after it moves that break after the marker too); the model reads
    /// the text after the marker as the start of its own middle. The split stays where it was while
    /// the user types new lines after it (up to <c>ActiveWindow.MaxMiddleLines</c>), so Enter costs
    /// a few tokens too.
    /// </summary>
    public bool CursorLineInMiddle { get; init; } = true;

    /// <summary>
    /// A closed file stays in the plan, in its place, as context until the budget needs its room or
    /// it is opened again (with the same text, at no cost). Closing a file then re-decodes nothing,
    /// and the files a user just worked on stay in the model's view, as open tabs do.
    /// </summary>
    public bool KeepClosedFiles { get; init; } = true;

    /// <summary>
    /// The most tokens the active document's part (header, markers, prefix, suffix) may take; 0: only
    /// its budget share. A bounded sync (<c>completion.maxSyncTokens</c>) sets it to its bound, since
    /// that part is always exact and must fit in what one request may decode.
    /// </summary>
    public int MaxActiveTokens { get; init; }

    /// <summary>When the prefix is too long it starts at a multiple of this many lines (a stable start).</summary>
    public int PrefixChunkLines { get; init; } = 32;

    public FimLayout Layout { get; init; } = FimLayout.Auto;

    /// <summary>The prompt format (<c>Formats/PromptFormats.Names</c>); "auto" picks it from the model's tokens and metadata.</summary>
    public string Format { get; init; } = Formats.PromptFormats.Auto;

    public FimTokenTexts TokenOverrides { get; init; } = new();

    /// <summary>Name after the repository token, when the vocabulary has one.</summary>
    public string RepoName { get; init; } = "workspace";

    /// <summary>File header for vocabularies without a file separator token; {0} is the path.</summary>
    public string PlainFileHeader { get; init; } = "--- {0} ---\n";

    /// <summary>Checks the values; a wrong setting is a clear error, not a silent default.</summary>
    public void Validate()
    {
        Require(ContextSize > 0, "ContextSize must be positive");
        Require(GenerationReserve >= 0 && GenerationReserve < ContextSize, "GenerationReserve must be in [0, ContextSize)");
        Require((ContextSize - GenerationReserve) * PlanShares.Active >= 64, $"the active document's budget, (ContextSize - GenerationReserve) * {PlanShares.Active}, must be at least 64 tokens");
        Require(MaxActiveTokens == 0 || MaxActiveTokens >= 64, "MaxActiveTokens must be 0 (no limit) or at least 64 tokens");
        Require(SuffixLines is null or >= 0, "SuffixLines must not be negative");
        Require(PrefixChunkLines > 0, "PrefixChunkLines must be positive");
        Require(PlainFileHeader.Contains("{0}", StringComparison.Ordinal), "PlainFileHeader must contain {0} for the path");
        Require(Formats.PromptFormats.IsKnown(Format), $"format '{Format}' is unknown; choose one of: {string.Join(", ", Formats.PromptFormats.Names)}");
    }

    private static void Require(bool ok, string message)
    {
        if (!ok)
        {
            throw new ArgumentException(message);
        }
    }
}
