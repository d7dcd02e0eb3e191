namespace LspLlama.Store;

/// <summary>
/// The stored documents that may be read from disk: files inside the session's workspace (other
/// schemes pass: they are never read from disk, only matched with what the editor opens). A
/// session file names paths, and one planted or damaged could otherwise make the server read (and
/// feed the model) any file the user can read.
/// </summary>
public static class WorkspaceDocuments
{
    public static IReadOnlyList<StoredDocument> Inside(IReadOnlyList<StoredDocument> documents, string? workspaceRoot, out int refused)
    {
        refused = 0;
        if (documents.Count == 0)
        {
            return documents;
        }

        // The workspace of a session key is lower case where file systems usually ignore case.
        StringComparison comparison = OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
        string? root = string.IsNullOrEmpty(workspaceRoot) ? null : Path.TrimEndingDirectorySeparator(Path.GetFullPath(workspaceRoot)) + Path.DirectorySeparatorChar;
        var inside = new List<StoredDocument>(documents.Count);
        foreach (StoredDocument document in documents)
        {
            if (!IsFileUri(document.Uri) || (root is not null && LocalPath(document.Uri) is { } path && path.StartsWith(root, comparison)))
            {
                inside.Add(document);
            }
            else
            {
                refused++;
            }
        }

        return inside;
    }

    private static bool IsFileUri(string uri) => uri.StartsWith("file:", StringComparison.OrdinalIgnoreCase);

    private static string? LocalPath(string uri)
    {
        try
        {
            return Uri.TryCreate(uri, UriKind.Absolute, out Uri? parsed) && parsed.IsFile ? Path.GetFullPath(parsed.LocalPath) : null;
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return null;
        }
    }
}
