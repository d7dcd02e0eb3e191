using LspLlama.Core.Documents;
using LspLlama.Engine;
using LspLlama.Protocol;
using LspLlama.Traces;

namespace LspLlama.Server.Handlers;

/// <summary><c>textDocument/inlineCompletion</c> (LSP 3.18): the suggestion as ghost text at the cursor.</summary>
public sealed class InlineCompletionHandler(ServerLifecycle lifecycle, CompletionEngine engine, TraceRecorder? recorder)
    : RequestHandler<InlineCompletionParams, InlineCompletionList>(lifecycle), IAdvertisesCapabilities
{
    public override string Method => LspMethods.InlineCompletion;

    public ServerCapabilities Advertise(ServerCapabilities capabilities, ClientCapabilities client) =>
        capabilities with { InlineCompletionProvider = new { } };

    protected override async Task<InlineCompletionList> HandleAsync(InlineCompletionParams request, CancellationToken cancellationToken)
    {
        TextPosition position = ProtocolConversions.ToCore(request.Position);
        recorder?.CompletionRequested(request.TextDocument.Uri, TraceConversions.ToTrace(request.Position));
        CompletionOutcome? outcome = await engine.CompleteAsync(request.TextDocument.Uri, position, cancellationToken).ConfigureAwait(false);
        if (outcome is null)
        {
            return new InlineCompletionList([]);
        }

        Position at = ProtocolConversions.ToWire(outcome.Cursor);
        return new InlineCompletionList([new InlineCompletionItem(outcome.Suggestion, new Protocol.Range(at, at))]);
    }
}

/// <summary>
/// <c>textDocument/completion</c>, for clients without inline completion (eglot, older Neovim): one
/// item whose edit inserts the suggestion. Its range starts at the word being typed and its text
/// repeats that word, so clients that filter by the typed word keep the item.
/// </summary>
public sealed class CompletionHandler(ServerLifecycle lifecycle, CompletionEngine engine, TraceRecorder? recorder)
    : RequestHandler<CompletionParams, CompletionList>(lifecycle), IAdvertisesCapabilities
{
    public override string Method => LspMethods.Completion;

    public ServerCapabilities Advertise(ServerCapabilities capabilities, ClientCapabilities client) =>
        capabilities with { CompletionProvider = new CompletionOptions(ResolveProvider: false) };

    protected override async Task<CompletionList> HandleAsync(CompletionParams request, CancellationToken cancellationToken)
    {
        TextPosition position = ProtocolConversions.ToCore(request.Position);
        recorder?.CompletionRequested(request.TextDocument.Uri, TraceConversions.ToTrace(request.Position));
        CompletionOutcome? outcome = await engine.CompleteAsync(request.TextDocument.Uri, position, cancellationToken).ConfigureAwait(false);
        if (outcome is null)
        {
            return new CompletionList(IsIncomplete: true, []);
        }

        Position start = ProtocolConversions.ToWire(outcome.WordStart);
        Position end = ProtocolConversions.ToWire(outcome.Cursor);
        string text = outcome.Word + outcome.Suggestion;
        string firstLine = text.Split('\n', 2)[0].TrimEnd('\r');
        string label = firstLine.Length > 80 ? firstLine[..80] + "…" : firstLine;
        var item = new CompletionItem(
            Label: label.Length > 0 ? label : text.Trim(),
            Kind: CompletionItemKind.Snippet,
            Detail: "LspLlama",
            FilterText: text,
            SortText: "0",
            TextEdit: new TextEdit(new Protocol.Range(start, end), text));

        // Incomplete: the next keystroke asks again rather than filtering a stale suggestion.
        return new CompletionList(IsIncomplete: true, [item]);
    }
}

/// <summary><c>lspllama/status</c>: the same report the server sends as <c>lspllama/statusChanged</c>.</summary>
public sealed class StatusHandler(ServerLifecycle lifecycle, CompletionEngine engine) : RequestHandler<System.Text.Json.JsonElement?, StatusReport>(lifecycle)
{
    public override string Method => LspMethods.Status;

    protected override bool ParamsOptional => true;

    protected override Task<StatusReport> HandleAsync(System.Text.Json.JsonElement? request, CancellationToken cancellationToken) =>
        Task.FromResult(engine.Status);
}
