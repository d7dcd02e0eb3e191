namespace LspLlama.Core.Context.Formats;

/// <summary>
/// Code Llama: <c>&lt;PRE&gt; prefix &lt;SUF&gt;suffix &lt;MID&gt;</c> (SPM: <c>&lt;PRE&gt; &lt;SUF&gt;suffix &lt;MID&gt; prefix</c>),
/// as Meta's reference infilling code builds it. The SentencePiece tokens are spelled <c>▁&lt;SUF&gt;</c> and
/// <c>▁&lt;MID&gt;</c>, so they carry the space before them; the space after <c>&lt;PRE&gt;</c> and <c>&lt;MID&gt;</c>
/// (SentencePiece's leading space on the text that follows) is written as its own token, so that
/// a document's tokens never depend on the marker before them. No file tokens: plain headers.
/// </summary>
public sealed class CodeLlamaFormat(VocabularyLookup vocab, ContextSettings settings) : PromptFormat(vocab, settings, Spec(vocab))
{
    public const string FormatName = "codellama";

    public override string Name => FormatName;

    public override string Family => "Code Llama";

    internal static string? Detect(VocabularyLookup v) =>
        v.Find("▁<PRE>", "<PRE>") is int p ? $"FIM prefix {v.Describe(p)}" : null;

    private static FormatSpec Spec(VocabularyLookup v) =>
        new(new FimMarkers(
            v.Find("▁<PRE>", "<PRE>") ?? v.Special.FimPrefix,
            v.Find("▁<SUF>", "<SUF>") ?? v.Special.FimSuffix,
            v.Find("▁<MID>", "<MID>") ?? v.Special.FimMiddle))
        {
            SpaceAfterMarkers = true,
            StopTexts = ["▁<EOT>", "<EOT>", "</s>"],
        };
}
