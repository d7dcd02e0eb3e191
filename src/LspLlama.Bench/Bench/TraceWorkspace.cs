using System.Globalization;
using System.Text;
using LspLlama.Core.Bench;

namespace LspLlama.Bench;

/// <summary>
/// Finds the source files a generated trace may open: text files of known languages under a
/// folder, skipping build output, dependencies, version control, binary and huge files. When the
/// folder holds too little source for the context target, it adds synthetic C# files written to a
/// folder of their own, so the bench works from any directory.
/// </summary>
public static class TraceWorkspace
{
    private static readonly HashSet<string> s_skippedFolders = new(StringComparer.OrdinalIgnoreCase)
    {
        "bin", "obj", "node_modules", "artifacts", "TestResults", "packages", "target", "dist", "build", "out", "vendor",
    };

    private static readonly Dictionary<string, string> s_languages = new(StringComparer.OrdinalIgnoreCase)
    {
        [".cs"] = "csharp", [".fs"] = "fsharp", [".vb"] = "vb", [".ts"] = "typescript", [".tsx"] = "typescriptreact",
        [".js"] = "javascript", [".jsx"] = "javascriptreact", [".mjs"] = "javascript", [".py"] = "python",
        [".rs"] = "rust", [".go"] = "go", [".c"] = "c", [".h"] = "c", [".cc"] = "cpp", [".cpp"] = "cpp",
        [".hpp"] = "cpp", [".java"] = "java", [".kt"] = "kotlin", [".swift"] = "swift", [".rb"] = "ruby",
        [".php"] = "php", [".lua"] = "lua", [".el"] = "emacs-lisp", [".sh"] = "shellscript", [".zig"] = "zig",
        [".scala"] = "scala", [".hs"] = "haskell", [".ml"] = "ocaml", [".md"] = "markdown",
    };

    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Files smaller than this are skipped: an empty stub makes a poor editing target.</summary>
    public const int MinFileBytes = 64;

    /// <summary>
    /// The files for a trace, and the workspace they live in. Synthetic files are added (and their
    /// folder reported) when the folder's own files count fewer than the context target.
    /// </summary>
    public static (IReadOnlyList<SourceFile> Files, string? SyntheticFolder) Load(
        string folder, TraceGeneratorOptions options, Func<string, int> countTokens, Action<string> log)
    {
        List<SourceFile> files = [.. Scan(folder, options.MaxFileBytes)];
        long tokens = files.Sum(f => (long)countTokens(f.Text));

        // The generator opens a tenth more than the target; leave headroom for files it closes.
        long wanted = options.ContextTokens + (options.ContextTokens / 4L);
        if (tokens >= wanted)
        {
            return (files, null);
        }

        int missingBytes = (int)Math.Min(int.MaxValue / 2, (wanted - tokens) * 4);
        string synthetic = Path.Combine(
            Path.GetTempPath(), "lspllama-bench", string.Create(CultureInfo.InvariantCulture, $"synthetic-{options.Seed}-{missingBytes}"));
        log($"{folder} has {files.Count} source files (~{tokens} tokens), fewer than the context target; " +
            $"adding synthetic files in {synthetic}");
        WriteSynthetic(synthetic, options.Seed, missingBytes);
        files.AddRange(Scan(synthetic, options.MaxFileBytes));
        return (files, synthetic);
    }

    /// <summary>Source files under a folder, in ordinal path order.</summary>
    public static IEnumerable<SourceFile> Scan(string folder, int maxFileBytes)
    {
        DirectoryInfo root = new(folder);
        if (!root.Exists)
        {
            throw new DirectoryNotFoundException($"workspace folder '{folder}' does not exist");
        }

        List<FileInfo> found = [];
        Collect(root, found);
        foreach (FileInfo file in found.OrderBy(f => f.FullName, StringComparer.Ordinal))
        {
            if (file.Length < MinFileBytes || file.Length > maxFileBytes
                || !s_languages.TryGetValue(file.Extension, out string? language)
                || ReadText(file) is not string text)
            {
                continue;
            }

            yield return new SourceFile(new Uri(file.FullName).AbsoluteUri, language, text);
        }
    }

    /// <summary>Writes the synthetic files under a folder (again, if it exists: the content is fixed by the seed).</summary>
    public static void WriteSynthetic(string folder, int seed, int totalBytes)
    {
        foreach ((string relative, string text) in SyntheticWorkspace.Generate(seed, totalBytes))
        {
            string path = Path.Combine(folder, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, text, s_strictUtf8);
        }
    }

    private static void Collect(DirectoryInfo dir, List<FileInfo> found)
    {
        IEnumerable<FileSystemInfo> entries;
        try
        {
            entries = dir.EnumerateFileSystemInfos();
            foreach (FileSystemInfo entry in entries)
            {
                // Links are not followed: they can loop, and they lead outside the workspace.
                if (entry.LinkTarget is not null)
                {
                    continue;
                }

                if (entry is DirectoryInfo sub)
                {
                    if (!sub.Name.StartsWith('.') && !s_skippedFolders.Contains(sub.Name))
                    {
                        Collect(sub, found);
                    }
                }
                else if (entry is FileInfo file && !file.Name.StartsWith('.'))
                {
                    found.Add(file);
                }
            }
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            // An unreadable folder is skipped, like an unreadable file.
        }
    }

    /// <summary>The file's text, or null when it is binary (a NUL byte or invalid UTF-8) or unreadable.</summary>
    private static string? ReadText(FileInfo file)
    {
        try
        {
            byte[] bytes = File.ReadAllBytes(file.FullName);
            if (Array.IndexOf(bytes, (byte)0) >= 0)
            {
                return null;
            }

            string text = s_strictUtf8.GetString(bytes);
            return text.Length > 0 && text[0] == '\uFEFF' ? text[1..] : text;
        }
        catch (Exception ex) when (ex is DecoderFallbackException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
