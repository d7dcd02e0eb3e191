using LspLlama.Core.Documents;
using LspLlama.Protocol;
using StreamJsonRpc;

namespace LspLlama.Server.Handlers;

/// <summary><c>lspllama/documentText</c>: the server's copy of a document and its version.</summary>
public sealed class DocumentTextHandler(ServerLifecycle lifecycle, DocumentStore documents) : RequestHandler<DocumentTextParams, DocumentTextResult>(lifecycle)
{
    public override string Method => LspMethods.DocumentText;

    protected override Task<DocumentTextResult> HandleAsync(DocumentTextParams request, CancellationToken cancellationToken)
    {
        TextDocument document = documents.Find(request.Uri)
            ?? throw new LocalRpcException($"{Method}: no open document '{request.Uri}'") { ErrorCode = LspErrorCodes.InvalidParams };
        (string text, int version) = document.Snapshot();
        return Task.FromResult(new DocumentTextResult(text, version));
    }
}
