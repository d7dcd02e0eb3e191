using LspLlama.Core.Bench;
using Xunit;

namespace LspLlama.Core.Tests.Bench;

public sealed class SyntheticWorkspaceTests
{
    [Fact]
    public void Files_are_fixed_by_the_seed_and_reach_the_size_asked()
    {
        var a = SyntheticWorkspace.Generate(3, 50_000);
        var b = SyntheticWorkspace.Generate(3, 50_000);
        var c = SyntheticWorkspace.Generate(4, 50_000);

        Assert.Equal(a, b);
        Assert.NotEqual(a.Select(f => f.Text), c.Select(f => f.Text));
        Assert.True(a.Sum(f => f.Text.Length) >= 50_000);
        Assert.Equal(a.Count, a.Select(f => f.RelativePath).Distinct().Count());

        // Code-like: balanced braces, indentation, comments.
        foreach ((string _, string text) in a)
        {
            Assert.Equal(text.Count(ch => ch == '{'), text.Count(ch => ch == '}'));
            Assert.Contains("\n        ", text, StringComparison.Ordinal);
            Assert.Contains("// ", text, StringComparison.Ordinal);
        }
    }
}
