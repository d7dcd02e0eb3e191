using System.Text.Json;

namespace LspLlama.Protocol;

/// <summary>LSP 3.18 <c>InlineCompletionParams</c>.</summary>
public sealed record InlineCompletionParams(TextDocumentIdentifier TextDocument, Position Position, InlineCompletionContext? Context = null);

/// <summary>1 = invoked by the user, 2 = automatic while typing.</summary>
public sealed record InlineCompletionContext(int TriggerKind, JsonElement? SelectedCompletionInfo = null);

public sealed record InlineCompletionList(IReadOnlyList<InlineCompletionItem> Items);

public sealed record InlineCompletionItem(string InsertText, Range Range, string? FilterText = null);

public sealed record CompletionParams(TextDocumentIdentifier TextDocument, Position Position, JsonElement? Context = null);

public sealed record CompletionList(bool IsIncomplete, IReadOnlyList<CompletionItem> Items);

public sealed record CompletionItem(
    string Label,
    int Kind,
    string? Detail,
    string FilterText,
    string SortText,
    TextEdit TextEdit,
    int InsertTextFormat = 1);

public sealed record TextEdit(Range Range, string NewText);

public static class CompletionItemKind
{
    public const int Text = 1;
    public const int Snippet = 15;
}
