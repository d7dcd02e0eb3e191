using System.Text.Json;

namespace LspLlama.Protocol;

/// <summary>LSP 3.18 <c>InlineCompletionParams</c>.</summary>
internal sealed record InlineCompletionParams(TextDocumentIdentifier TextDocument, Position Position, InlineCompletionContext? Context = null);

/// <summary>1 = invoked by the user, 2 = automatic while typing.</summary>
internal sealed record InlineCompletionContext(int TriggerKind, JsonElement? SelectedCompletionInfo = null);

internal sealed record InlineCompletionList(IReadOnlyList<InlineCompletionItem> Items);

internal sealed record InlineCompletionItem(string InsertText, Range Range, string? FilterText = null);

internal sealed record CompletionParams(TextDocumentIdentifier TextDocument, Position Position, JsonElement? Context = null);

internal sealed record CompletionList(bool IsIncomplete, IReadOnlyList<CompletionItem> Items);

internal sealed record CompletionItem(
    string Label,
    int Kind,
    string? Detail,
    string FilterText,
    string SortText,
    TextEdit TextEdit,
    int InsertTextFormat = 1);

internal sealed record TextEdit(Range Range, string NewText);

internal static class CompletionItemKind
{
    public const int Text = 1;
    public const int Snippet = 15;
}
