using LspLlama.Core.Documents;
using LspLlama.Protocol;
using LspLlama.Traces;
using Microsoft.Extensions.Logging;

namespace LspLlama.Server.Handlers;

/// <summary><c>textDocument/didOpen</c>.</summary>
public sealed class DidOpenHandler(ServerLifecycle lifecycle, ILoggerFactory loggers, DocumentStore documents, TraceRecorder? recorder)
    : NotificationHandler<DidOpenTextDocumentParams>(lifecycle, loggers)
{
    public override string Method => LspMethods.DidOpen;

    protected override void Handle(DidOpenTextDocumentParams notification)
    {
        TextDocumentItem item = notification.TextDocument;
        recorder?.DidOpen(item.Uri, item.LanguageId, item.Version, item.Text);
        DocumentUpdate update = documents.Open(item.Uri, item.LanguageId, item.Version, item.Text);
        DocumentLog.Report(Logger, Method, item.Uri, update);
    }
}

/// <summary><c>textDocument/didChange</c>: incremental and full changes, applied in order.</summary>
public sealed class DidChangeHandler(ServerLifecycle lifecycle, ILoggerFactory loggers, DocumentStore documents, TraceRecorder? recorder)
    : NotificationHandler<DidChangeTextDocumentParams>(lifecycle, loggers)
{
    public override string Method => LspMethods.DidChange;

    protected override void Handle(DidChangeTextDocumentParams notification)
    {
        string uri = notification.TextDocument.Uri;
        recorder?.DidChange(uri, notification.TextDocument.Version, [.. notification.ContentChanges.Select(TraceConversions.ToTrace)]);
        List<DocumentChange> changes = notification.ContentChanges.Select(ProtocolConversions.ToCore).ToList();
        DocumentUpdate update = documents.Change(uri, notification.TextDocument.Version, changes, Lifecycle.Client.PositionEncoding);
        DocumentLog.Report(Logger, Method, uri, update);
    }
}

/// <summary><c>textDocument/didClose</c>.</summary>
public sealed class DidCloseHandler(ServerLifecycle lifecycle, ILoggerFactory loggers, DocumentStore documents, TraceRecorder? recorder)
    : NotificationHandler<DidCloseTextDocumentParams>(lifecycle, loggers)
{
    public override string Method => LspMethods.DidClose;

    protected override void Handle(DidCloseTextDocumentParams notification)
    {
        recorder?.DidClose(notification.TextDocument.Uri);
        DocumentLog.Report(Logger, Method, notification.TextDocument.Uri, documents.Close(notification.TextDocument.Uri));
    }
}

/// <summary>
/// <c>textDocument/didSave</c>. The server does not ask for the text, but when a client sends it
/// anyway it is a free check that the server's copy has not drifted; a drifted copy is replaced.
/// </summary>
public sealed class DidSaveHandler(ServerLifecycle lifecycle, ILoggerFactory loggers, DocumentStore documents)
    : NotificationHandler<DidSaveTextDocumentParams>(lifecycle, loggers)
{
    public override string Method => LspMethods.DidSave;

    protected override void Handle(DidSaveTextDocumentParams notification)
    {
        string uri = notification.TextDocument.Uri;
        TextDocument? document = documents.Find(uri);
        if (document is null)
        {
            Logger.LogWarning("{Method} for {Uri}, which is not open; ignored", Method, uri);
            return;
        }

        if (notification.Text is string saved && saved != document.GetText())
        {
            Logger.LogWarning("{Uri}: the saved text differs from the server's copy; replaced it", uri);
            documents.Change(uri, document.Version, [DocumentChange.Full(saved)], Lifecycle.Client.PositionEncoding);
        }
    }
}

/// <summary>Logs what the document store tolerated or refused.</summary>
public static class DocumentLog
{
    public static void Report(ILogger logger, string method, string uri, DocumentUpdate update)
    {
        if (!update.Applied)
        {
            logger.LogWarning("{Method} for {Uri}, which is not open; ignored", method, uri);
        }

        foreach (string warning in update.Warnings)
        {
            logger.LogWarning("{Method}: {Warning}", method, warning);
        }

        foreach (Exception failure in update.ObserverFailures)
        {
            logger.LogError(failure, "{Method}: a document observer failed", method);
        }
    }
}
