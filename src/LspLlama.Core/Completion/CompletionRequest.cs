namespace LspLlama.Core.Completion;

/// <summary>
/// One completion request in the active document, in plain text.
/// </summary>
/// <remarks>
/// The request is made from the whole document but keeps only what the rules read: the cursor's
/// line and the lines after it (<see cref="CursorLine"/>), and the text next to the cursor with
/// hashes of the rest (<see cref="TextAroundCursor"/>), which the typed-ahead cache compares to
/// notice an edit anywhere in the document. (A class, not a record: a <c>with</c> copy would carry
/// the cursor line of the original text.)
/// </remarks>
public sealed class CompletionRequest
{
    /// <param name="documentId">Identifies the document (its URI); the caches never mix documents.</param>
    /// <param name="prefix">The document's whole text before the cursor.</param>
    /// <param name="suffix">The document's whole text after the cursor.</param>
    public CompletionRequest(string documentId, ReadOnlySpan<char> prefix, ReadOnlySpan<char> suffix)
    {
        DocumentId = documentId;
        Text = TextAroundCursor.Of(prefix, suffix);
        Cursor = CursorLine.From(prefix, suffix);
    }

    public CompletionRequest(string documentId, string prefix, string suffix)
        : this(documentId, prefix.AsSpan(), suffix.AsSpan())
    {
    }

    public string DocumentId { get; }

    /// <summary>The document around the cursor: windows as text, the rest as hashes.</summary>
    public TextAroundCursor Text { get; }

    /// <summary>The cursor's offset in the document.</summary>
    public int Offset => Text.PrefixLength;

    /// <summary>The cursor's line and the lines after it.</summary>
    public CursorLine Cursor { get; }
}
