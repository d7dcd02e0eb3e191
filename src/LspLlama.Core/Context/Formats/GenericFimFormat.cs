namespace LspLlama.Core.Context.Formats;

/// <summary>
/// A FIM vocabulary of no family above: the FIM, repository and file-separator tokens llama.cpp
/// reports, laid out as llama-server's <c>/infill</c> does (<c>[REP]name\n</c>, <c>[SEP]path\ntext</c> per
/// file, then PSM).
/// </summary>
public sealed class GenericFimFormat(VocabularyLookup vocab, ContextSettings settings) : PromptFormat(vocab, settings, Spec(vocab))
{
    public const string FormatName = "fim";

    public override string Name => FormatName;

    public override string Family => "other FIM model (llama.cpp's FIM tokens)";

    internal static string? Detect(VocabularyLookup v) =>
        v.Special.HasFim ? $"llama.cpp reports FIM prefix {v.Describe(v.Special.FimPrefix!.Value)}, suffix and middle tokens" : null;

    private static FormatSpec Spec(VocabularyLookup v) =>
        new(new FimMarkers(v.Special.FimPrefix, v.Special.FimSuffix, v.Special.FimMiddle), v.Special.FimRepo, v.Special.FimFileSeparator);
}
