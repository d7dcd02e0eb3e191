namespace LspLlama.Core.Completion;

/// <summary>
/// One completion request in the active document, in plain text.
/// </summary>
/// <param name="DocumentId">Identifies the document (its URI); the caches never mix documents.</param>
/// <param name="Prefix">The document's whole text before the cursor.</param>
/// <param name="Suffix">The document's whole text after the cursor.</param>
/// <remarks>
/// Prefix and suffix are the whole document, not the model's prompt windows: the typed-ahead
/// cache compares them to notice an edit anywhere in the document, and the stop rules read the
/// cursor's line and the lines after it from them.
/// </remarks>
internal sealed record CompletionRequest(string DocumentId, string Prefix, string Suffix)
{
    private CursorLine? _cursor;

    /// <summary>The cursor's line and the lines after it, derived once from prefix and suffix.</summary>
    public CursorLine Cursor => _cursor ??= CursorLine.From(Prefix, Suffix);
}
