using LspLlama.Bench;
using LspLlama.Core.Bench;
using Xunit;

namespace LspLlama.Tests.Bench;

public sealed class TraceWorkspaceTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"lspllama-ws-{Guid.NewGuid():N}");

    public TraceWorkspaceTests()
    {
        string code = "namespace N;\n\ninternal sealed class C\n{\n    public int F() => 42; // enough text to count\n}\n";
        Write("src/Keep.cs", code);
        Write("src/deep/er/Keep.py", code);
        Write("README.md", code);
        Write("bin/Release/Skip.cs", code);
        Write("obj/Skip.cs", code);
        Write(".git/Skip.cs", code);
        Write("node_modules/pkg/skip.js", code);
        Write("src/tiny.cs", "x");
        Write("src/data.json", code);
        Write("src/huge.cs", new string('x', 10_000));
        File.WriteAllBytes(Path.Combine(_root, "src/binary.cs"), [.. System.Text.Encoding.UTF8.GetBytes(code), 0, 1, 2]);
        File.WriteAllBytes(Path.Combine(_root, "src/latin1.cs"), [.. System.Text.Encoding.UTF8.GetBytes(code), 0xE9, 0x20, 0xFF]);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private void Write(string relative, string text)
    {
        string path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    [Fact]
    public void Only_readable_source_files_of_reasonable_size_outside_build_and_vcs_folders_are_picked()
    {
        SourceFile[] files = [.. TraceWorkspace.Scan(_root, maxFileBytes: 4_096)];
        Assert.Equal(
            ["README.md", "src/Keep.cs", "src/deep/er/Keep.py"],
            files.Select(f => Path.GetRelativePath(_root, new Uri(f.Uri).LocalPath).Replace('\\', '/')));
        Assert.Equal(["markdown", "csharp", "python"], files.Select(f => f.LanguageId));
        Assert.All(files, f => Assert.StartsWith("file:///", f.Uri, StringComparison.Ordinal));
    }

    [Fact]
    public void A_small_folder_is_topped_up_with_synthetic_files_to_the_context_target()
    {
        List<string> log = [];
        TraceGeneratorOptions options = new(Seed: 77, ContextTokens: 20_000);
        (IReadOnlyList<SourceFile> files, string? synthetic) = TraceWorkspace.Load(_root, options, TraceGenerator.EstimateTokens, log.Add);
        try
        {
            Assert.NotNull(synthetic);
            Assert.Single(log);
            Assert.Contains(files, f => f.Uri.EndsWith("src/Keep.cs", StringComparison.Ordinal));
            Assert.True(files.Sum(f => TraceGenerator.EstimateTokens(f.Text)) >= options.ContextTokens * 1.2);

            EditTrace trace = new TraceGenerator(files, options with { Syncs = 50 }).Generate(_root);
            Assert.Empty(TracePlayback.Validate(trace));
        }
        finally
        {
            Directory.Delete(synthetic!, recursive: true);
        }
    }

    [Fact]
    public void A_large_enough_folder_is_used_as_it_is()
    {
        (IReadOnlyList<SourceFile> files, string? synthetic) = TraceWorkspace.Load(_root, new TraceGeneratorOptions(ContextTokens: 10), TraceGenerator.EstimateTokens, _ => { });
        Assert.Null(synthetic);

        // The default size limit (192 KiB) lets the 10 KB file in.
        Assert.Equal(4, files.Count);
        Assert.Contains(files, f => f.Uri.EndsWith("src/huge.cs", StringComparison.Ordinal));
    }
}
