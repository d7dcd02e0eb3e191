namespace LspLlama.Server.Settings;

/// <summary>
/// <c>~</c> and <c>~/…</c> in a path setting mean the user's home folder, as in a shell: editors
/// pass settings through unexpanded, and the README's own examples use them.
/// </summary>
public static class HomePath
{
    public static string? Expand(string? path)
    {
        if (path is null || !(path == "~" || path.StartsWith("~/", StringComparison.Ordinal)))
        {
            return path;
        }

        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return string.IsNullOrEmpty(home) ? path : home + path[1..];
    }
}
