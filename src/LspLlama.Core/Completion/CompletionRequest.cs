namespace LspLlama.Core.Completion;

/// <summary>
/// One completion request in the active document, in plain text.
/// </summary>
/// <remarks>
/// Prefix and suffix are the whole document, not the model's prompt windows: the typed-ahead
/// cache compares them to notice an edit anywhere in the document, and the stop rules read the
/// cursor's line and the lines after it from them. (A class, not a record: a <c>with</c> copy
/// would carry the cursor line of the original text.)
/// </remarks>
public sealed class CompletionRequest
{
    /// <param name="documentId">Identifies the document (its URI); the caches never mix documents.</param>
    /// <param name="prefix">The document's whole text before the cursor.</param>
    /// <param name="suffix">The document's whole text after the cursor.</param>
    public CompletionRequest(string documentId, string prefix, string suffix)
    {
        DocumentId = documentId;
        Prefix = prefix;
        Suffix = suffix;
        Cursor = CursorLine.From(prefix, suffix);
    }

    public string DocumentId { get; }

    public string Prefix { get; }

    public string Suffix { get; }

    /// <summary>The cursor's line and the lines after it.</summary>
    public CursorLine Cursor { get; }
}
