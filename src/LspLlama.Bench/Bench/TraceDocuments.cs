using LspLlama.Core.Bench;
using LspLlama.Core.Documents;

namespace LspLlama.Bench;

/// <summary>What every replay target does with a trace's documents: the same conversions, so all targets see the same texts and cursors.</summary>
public static class TraceDocuments
{
    public static PositionEncoding EncodingOf(string positionEncoding) =>
        positionEncoding == TraceHeader.Utf8 ? PositionEncoding.Utf8 : PositionEncoding.Utf16;

    public static DocumentChange ToDocumentChange(TraceChange c) => new(
        c.Range is TraceRange r
            ? new TextRange(new TextPosition(r.Start.Line, r.Start.Character), new TextPosition(r.End.Line, r.End.Character))
            : null,
        c.Text);

    /// <summary>The text of the requested document and the cursor's offset in it, as the handler captures them.</summary>
    public static (string Text, int Offset) At(DocumentStore store, TraceCompletion request, PositionEncoding encoding)
    {
        TextDocument doc = store.Find(request.Uri) ?? throw new InvalidDataException($"{request.Uri} is not open");
        (string text, _) = doc.Snapshot();
        return (text, doc.OffsetAt(new TextPosition(request.Position.Line, request.Position.Character), encoding));
    }
}
