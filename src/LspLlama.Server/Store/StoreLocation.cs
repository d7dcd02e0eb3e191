namespace LspLlama.Store;

/// <summary>The platform's per-user cache folder for session files.</summary>
public static class StoreLocation
{
    /// <summary>
    /// Linux and other Unix: <c>$XDG_CACHE_HOME/lspllama/sessions</c> (only an absolute XDG path
    /// counts, as the XDG spec says), else <c>~/.cache/lspllama/sessions</c>.
    /// macOS: <c>~/Library/Caches/lspllama/sessions</c>. Windows: <c>%LOCALAPPDATA%\lspllama\cache\sessions</c>.
    /// </summary>
    public static string DefaultDirectory(Func<string, string?>? getEnvironment = null)
    {
        getEnvironment ??= Environment.GetEnvironmentVariable;
        if (OperatingSystem.IsWindows())
        {
            string local = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
            return Path.Combine(local, "lspllama", "cache", SessionsFolder);
        }

        string home = getEnvironment("HOME") is { Length: > 0 } h
            ? h
            : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (OperatingSystem.IsMacOS())
        {
            return Path.Combine(home, "Library", "Caches", "lspllama", SessionsFolder);
        }

        string? xdg = getEnvironment("XDG_CACHE_HOME");
        string cache = !string.IsNullOrEmpty(xdg) && Path.IsPathFullyQualified(xdg) ? xdg : Path.Combine(home, ".cache");
        return Path.Combine(cache, "lspllama", SessionsFolder);
    }

    private const string SessionsFolder = "sessions";
}
