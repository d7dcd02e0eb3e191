namespace LspLlama.Core.Documents;

/// <summary>
/// Sees every document mutation the store applies, in order, as UTF-16 char offsets. The context
/// plan and the completion cache subscribe here, so that nothing downstream needs LSP positions.
/// </summary>
/// <remarks>
/// Callbacks run synchronously with the store's lock held, right after the text changed: keep them
/// short, and read the document through its own members if needed (the lock is re-entrant).
/// </remarks>
public interface IDocumentObserver
{
    void OnOpened(DocumentOpened opened);

    void OnEdited(DocumentEdit edit);

    void OnClosed(DocumentClosed closed);
}

/// <summary>A document was opened with <paramref name="Text"/>.</summary>
public readonly record struct DocumentOpened(string Uri, string LanguageId, int Version, string Text);

/// <summary>
/// <paramref name="RemovedLength"/> chars at <paramref name="Start"/> were replaced by
/// <paramref name="InsertedText"/>. Several edits can carry the same version when one
/// notification held several changes; they are reported in the order they were applied.
/// </summary>
public readonly record struct DocumentEdit(string Uri, int Version, int Start, int RemovedLength, string InsertedText);

/// <summary>A document was closed; its text is gone from the store.</summary>
public readonly record struct DocumentClosed(string Uri);
