using System.Text.Json.Serialization;

namespace LspLlama.Protocol;

internal sealed record Position(int Line, int Character);

internal sealed record Range(Position Start, Position End);

internal sealed record TextDocumentIdentifier(string Uri);

internal sealed record VersionedTextDocumentIdentifier(string Uri, int Version);

internal sealed record TextDocumentItem(
    string Uri,
    string LanguageId,
    int Version,
    [property: JsonConverter(typeof(LenientStringConverter))] string Text);

internal sealed record DidOpenTextDocumentParams(TextDocumentItem TextDocument);

internal sealed record DidChangeTextDocumentParams(
    VersionedTextDocumentIdentifier TextDocument,
    IReadOnlyList<TextDocumentContentChangeEvent> ContentChanges);

/// <summary>A range change, or the whole text when <see cref="Range"/> is absent.</summary>
internal sealed record TextDocumentContentChangeEvent(
    [property: JsonConverter(typeof(LenientStringConverter))] string Text,
    Range? Range = null,
    int? RangeLength = null);

internal sealed record DidCloseTextDocumentParams(TextDocumentIdentifier TextDocument);

internal sealed record DidSaveTextDocumentParams(
    TextDocumentIdentifier TextDocument,
    [property: JsonConverter(typeof(LenientStringConverter))] string? Text = null);

internal sealed record DocumentTextParams(string Uri);

internal sealed record DocumentTextResult(string Text, int Version);
