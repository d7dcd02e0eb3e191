using LspLlama.Core.Bench;
using LspLlama.Protocol;

namespace LspLlama.Server.Handlers;

/// <summary>LSP values as the trace recorder stores them (the same numbers, the bench's types).</summary>
public static class TraceConversions
{
    public static TracePosition ToTrace(Position p) => new(p.Line, p.Character);

    public static TraceChange ToTrace(TextDocumentContentChangeEvent change) =>
        new(change.Range is { } r ? new TraceRange(ToTrace(r.Start), ToTrace(r.End)) : null, change.Text);
}
