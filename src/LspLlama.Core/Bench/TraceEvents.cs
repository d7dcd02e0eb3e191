namespace LspLlama.Core.Bench;

/// <summary>
/// A position in a document as LSP sends it: zero-based line and character, where a character is
/// counted in the trace's position encoding (UTF-16 code units unless the header says otherwise).
/// </summary>
public readonly record struct TracePosition(int Line, int Character)
{
    public override string ToString() => $"{Line}:{Character}";
}

/// <summary>A range between two positions, end exclusive, as in LSP.</summary>
public readonly record struct TraceRange(TracePosition Start, TracePosition End)
{
    public static TraceRange At(TracePosition p) => new(p, p);

    public override string ToString() => $"{Start}-{End}";
}

/// <summary>One content change of a didChange: replace <see cref="Range"/> by <see cref="Text"/>,
/// or the whole document when the range is null (a full-document sync).</summary>
public sealed record TraceChange(TraceRange? Range, string Text);

/// <summary>
/// One editor event. The set is closed and close to LSP: the notifications that change the
/// server's documents, the cursor (which LSP only reveals with requests), and completion requests,
/// each of which makes the replay sync the model.
/// </summary>
public abstract record TraceEvent(string Uri);

/// <summary>textDocument/didOpen.</summary>
public sealed record TraceOpen(string Uri, string LanguageId, int Version, string Text) : TraceEvent(Uri);

/// <summary>textDocument/didChange: the changes are applied in order, each to the result of the previous one.</summary>
public sealed record TraceEdit(string Uri, int Version, IReadOnlyList<TraceChange> Changes) : TraceEvent(Uri)
{
    public bool Equals(TraceEdit? other) =>
        other is not null && Uri == other.Uri && Version == other.Version && Changes.SequenceEqual(other.Changes);

    public override int GetHashCode() => HashCode.Combine(Uri, Version, Changes.Count);
}

/// <summary>textDocument/didClose.</summary>
public sealed record TraceClose(string Uri) : TraceEvent(Uri);

/// <summary>The active document or its cursor changed without an edit (a jump, a file switch).</summary>
public sealed record TraceFocus(string Uri, TracePosition Position) : TraceEvent(Uri);

/// <summary>A completion request (inline or classic) at a position: the replay syncs the model here.</summary>
public sealed record TraceCompletion(string Uri, TracePosition Position) : TraceEvent(Uri);
