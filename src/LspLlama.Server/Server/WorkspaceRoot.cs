using LspLlama.Protocol;

namespace LspLlama.Server;

/// <summary>The workspace a client opened, as a local folder: the first workspace folder, else rootUri, else the deprecated rootPath.</summary>
public static class WorkspaceRoot
{
    public static string? Of(InitializeParams request)
    {
        string? uri = request.WorkspaceFolders is [var first, ..] ? first.Uri : request.RootUri;
        if (uri is not null)
        {
            return Uri.TryCreate(uri, UriKind.Absolute, out Uri? parsed) && parsed.IsFile ? parsed.LocalPath : null;
        }

        return string.IsNullOrWhiteSpace(request.RootPath) ? null : request.RootPath;
    }
}
