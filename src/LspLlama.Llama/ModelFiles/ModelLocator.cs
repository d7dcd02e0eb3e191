namespace LspLlama.ModelFiles;

/// <summary>
/// Finds a GGUF model when none is configured, in the places local model tools keep them
/// (Hugging Face cache, LM Studio, llama.cpp's cache). Code models are preferred, then the most
/// recently modified file. Folders are given explicitly so tests can point it anywhere.
/// </summary>
public sealed class ModelLocator(IReadOnlyList<ModelLocator.SearchRoot> roots)
{
    /// <summary>A folder to search and the tool it belongs to (for the log message).</summary>
    public sealed record SearchRoot(string Tool, string Folder);

    /// <summary>A model file found on disk.</summary>
    public sealed record Candidate(string Tool, string Path, long Bytes, DateTime Modified);

    private static readonly string[] s_codeHints = ["coder", "code", "starcoder", "fim"];

    /// <summary>The usual folders on this platform, from the environment.</summary>
    public static ModelLocator ForCurrentUser()
    {
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        string cache = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } x
            ? x
            : OperatingSystem.IsMacOS() ? Path.Combine(home, "Library", "Caches") : Path.Combine(home, ".cache");
        string hfHome = Environment.GetEnvironmentVariable("HF_HOME") ?? Path.Combine(cache, "huggingface");
        string hfHub = Environment.GetEnvironmentVariable("HF_HUB_CACHE") ?? Path.Combine(hfHome, "hub");
        string llamaCache = Environment.GetEnvironmentVariable("LLAMA_CACHE") ?? Path.Combine(cache, "llama.cpp");
        return new ModelLocator(
        [
            new("Hugging Face cache", hfHub),
            new("LM Studio", Path.Combine(home, ".lmstudio", "models")),
            new("LM Studio", Path.Combine(home, ".cache", "lm-studio", "models")),
            new("llama.cpp cache", llamaCache),
        ]);
    }

    public IReadOnlyList<SearchRoot> Roots => roots;

    /// <summary>All usable-looking GGUF files, best first.</summary>
    public IReadOnlyList<Candidate> FindAll()
    {
        var found = new List<Candidate>();
        foreach (SearchRoot root in roots)
        {
            if (!Directory.Exists(root.Folder))
            {
                continue;
            }

            var options = new EnumerationOptions
            {
                RecurseSubdirectories = true,
                IgnoreInaccessible = true,
                MaxRecursionDepth = 6,
                AttributesToSkip = FileAttributes.System,
            };
            foreach (string file in Directory.EnumerateFiles(root.Folder, "*.gguf", options))
            {
                if (IsAuxiliaryFile(Path.GetFileName(file)))
                {
                    continue;
                }

                var info = new FileInfo(file); // follows Hugging Face's blob symlinks for size and time
                FileSystemInfo? target = info.LinkTarget is null ? info : info.ResolveLinkTarget(returnFinalTarget: true);
                if (target is FileInfo { Exists: true } real)
                {
                    found.Add(new Candidate(root.Tool, file, real.Length, real.LastWriteTimeUtc));
                }
            }
        }

        return [.. found
            .OrderByDescending(c => IsCodeModel(c.Path))
            .ThenByDescending(c => c.Modified)
            .ThenBy(c => c.Path, StringComparer.Ordinal)];
    }

    public Candidate? FindBest() => FindAll().FirstOrDefault();

    // Projectors for vision models and later parts of split files cannot be loaded on their own.
    private static bool IsAuxiliaryFile(string name) =>
        name.StartsWith("mmproj", StringComparison.OrdinalIgnoreCase)
        || (name.Contains("-of-", StringComparison.Ordinal) && !name.Contains("-00001-of-", StringComparison.Ordinal));

    private static bool IsCodeModel(string path)
    {
        string name = Path.GetFileName(path).ToLowerInvariant();
        return s_codeHints.Any(name.Contains);
    }
}
