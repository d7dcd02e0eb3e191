using System.Text.Json.Serialization;

namespace LspLlama.Protocol;

public sealed record Position(int Line, int Character);

public sealed record Range(Position Start, Position End);

public sealed record TextDocumentIdentifier(string Uri);

public sealed record VersionedTextDocumentIdentifier(string Uri, int Version);

public sealed record TextDocumentItem(
    string Uri,
    string LanguageId,
    int Version,
    [property: JsonConverter(typeof(LenientStringConverter))] string Text);

public sealed record DidOpenTextDocumentParams(TextDocumentItem TextDocument);

public sealed record DidChangeTextDocumentParams(
    VersionedTextDocumentIdentifier TextDocument,
    IReadOnlyList<TextDocumentContentChangeEvent> ContentChanges);

/// <summary>A range change, or the whole text when <see cref="Range"/> is absent.</summary>
public sealed record TextDocumentContentChangeEvent(
    [property: JsonConverter(typeof(LenientStringConverter))] string Text,
    Range? Range = null,
    int? RangeLength = null);

public sealed record DidCloseTextDocumentParams(TextDocumentIdentifier TextDocument);

public sealed record DidSaveTextDocumentParams(
    TextDocumentIdentifier TextDocument,
    [property: JsonConverter(typeof(LenientStringConverter))] string? Text = null);

public sealed record DocumentTextParams(string Uri);

public sealed record DocumentTextResult(string Text, int Version);
