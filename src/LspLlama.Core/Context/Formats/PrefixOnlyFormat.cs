namespace LspLlama.Core.Context.Formats;

/// <summary>
/// Models without FIM tokens: the other files with plain-text headers, then the active file up to
/// the cursor, which the model continues. This is the fallback rather than FIM emulation with a
/// chat template: a base model was trained on exactly this; a chat model asked to fill a hole
/// answers in prose or code fences that need parsing, costs a template and instructions per
/// request, and rewrites what it was shown instead of continuing it. Typing still changes only
/// the last tokens, and every model works.
/// </summary>
public sealed class PrefixOnlyFormat(VocabularyLookup vocab, ContextSettings settings)
    : PromptFormat(vocab, settings, new FormatSpec(new FimMarkers(null, null, null)))
{
    public const string FormatName = "prefix-only";

    public override string Name => FormatName;

    public override string Family => "no FIM tokens (prefix only)";
}
