using LspLlama.Tests.Support;
using Xunit;

namespace LspLlama.Tests.Context;

/// <summary>The vocabulary-only GGUF files in <c>../shared/vocab</c> (next to the repository root).</summary>
internal static class SharedVocab
{
    public static string? Folder { get; } = Find();

    public static string PathOf(string file) =>
        System.IO.Path.Combine(Folder ?? throw new InvalidOperationException("../shared/vocab is absent"), file);

    // ../shared/vocab relative to the repository root; a checkout nested one level deeper (a worktree
    // folder next to others) finds the same folder further up.
    private static string? Find()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "LspLlama.sln")))
            {
                for (DirectoryInfo? up = dir.Parent; up is not null; up = up.Parent)
                {
                    string vocab = System.IO.Path.Combine(up.FullName, "shared", "vocab");
                    if (Directory.Exists(vocab))
                    {
                        return vocab;
                    }
                }

                return null;
            }
        }

        return null;
    }
}

/// <summary>A theory that is skipped (and says why) only when <c>../shared/vocab</c> is absent.</summary>
internal sealed class SharedVocabTheoryAttribute : TheoryAttribute
{
    public SharedVocabTheoryAttribute()
    {
        if (SharedVocab.Folder is null && !SharedVocabRequired.InCi)
        {
            Skip = "../shared/vocab is absent";
        }
    }
}
