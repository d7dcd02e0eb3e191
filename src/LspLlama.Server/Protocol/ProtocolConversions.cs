using LspLlama.Core.Documents;

namespace LspLlama.Protocol;

/// <summary>LSP wire types to core types and back; the core never sees an LSP record.</summary>
public static class ProtocolConversions
{
    public const string Utf8 = "utf-8";
    public const string Utf16 = "utf-16";
    public const string Utf32 = "utf-32";

    /// <summary>
    /// Picks the position encoding. UTF-8 first: Neovim and Emacs count bytes natively, and any
    /// other choice makes them convert every position. Then UTF-32, then the mandatory UTF-16.
    /// </summary>
    public static PositionEncoding Negotiate(IReadOnlyList<string>? offered)
    {
        if (offered is null)
        {
            return PositionEncoding.Utf16;
        }

        if (offered.Contains(Utf8, StringComparer.OrdinalIgnoreCase))
        {
            return PositionEncoding.Utf8;
        }

        return offered.Contains(Utf32, StringComparer.OrdinalIgnoreCase) ? PositionEncoding.Utf32 : PositionEncoding.Utf16;
    }

    public static string ToWire(PositionEncoding encoding) => encoding switch
    {
        PositionEncoding.Utf8 => Utf8,
        PositionEncoding.Utf32 => Utf32,
        _ => Utf16,
    };

    public static TextPosition ToCore(Position position) => new(position.Line, position.Character);

    public static Position ToWire(TextPosition position) => new(position.Line, position.Character);

    public static DocumentChange ToCore(TextDocumentContentChangeEvent change) =>
        change.Range is null
            ? DocumentChange.Full(change.Text)
            : new DocumentChange(new TextRange(ToCore(change.Range.Start), ToCore(change.Range.End)), change.Text);
}
