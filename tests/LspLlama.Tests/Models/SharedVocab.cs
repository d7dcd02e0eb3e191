using LspLlama.Tests.Support;
using Xunit;

namespace LspLlama.Tests.Models;

/// <summary>
/// The vocab-only GGUF files in <c>../shared/vocab</c> (relative to the repository root). Tests that
/// need them use <see cref="SharedVocabFactAttribute"/> and are skipped where the folder is absent.
/// </summary>
internal static class SharedVocab
{
    public static string? Folder { get; } = Find();

    public static string StarCoder => Path.Combine(Folder ?? throw new InvalidOperationException("no shared vocab folder"), "ggml-vocab-starcoder.gguf");

    private static string? Find()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LspLlama.sln")))
            {
                return RepositoryRoots(dir.FullName)
                    .Select(root => Path.GetFullPath(Path.Combine(root, "..", "shared", "vocab")))
                    .FirstOrDefault(folder => File.Exists(Path.Combine(folder, "ggml-vocab-starcoder.gguf")));
            }
        }

        return null;
    }

    /// <summary>The checkout itself and, for a linked git worktree, the main checkout it belongs to.</summary>
    private static IEnumerable<string> RepositoryRoots(string checkout)
    {
        yield return checkout;
        string gitFile = Path.Combine(checkout, ".git");
        if (File.Exists(gitFile))
        {
            // "gitdir: <main>/.git/worktrees/<name>"
            string gitDir = File.ReadAllText(gitFile).Replace("gitdir:", string.Empty, StringComparison.Ordinal).Trim();
            DirectoryInfo? mainGit = new DirectoryInfo(gitDir).Parent?.Parent;
            if (mainGit?.Parent is { } main)
            {
                yield return main.FullName;
            }
        }
    }
}

/// <summary>A fact that runs only where <c>../shared/vocab</c> exists.</summary>
public sealed class SharedVocabFactAttribute : FactAttribute
{
    public SharedVocabFactAttribute()
    {
        if (SharedVocab.Folder is null && !SharedVocabRequired.InCi)
        {
            Skip = "../shared/vocab is not present next to the repository";
        }
    }
}
