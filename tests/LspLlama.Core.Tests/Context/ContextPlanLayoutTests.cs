using LspLlama.Core.Context;
using Xunit;
using static LspLlama.Core.Tests.Context.PlanTestKit;

namespace LspLlama.Core.Tests.Context;

public sealed class ContextPlanLayoutTests
{
    [Fact]
    public void PsmWithRepositoryTokens()
    {
        var tok = new FakeBpeTokenizer();
        var plan = new ContextPlan(tok, new ContextSettings());
        plan.Open("file:///a", "src/a.cs", "int a = 1;\n");
        plan.Open("file:///b", "src/b.cs", "void F()\n{\n    return;\n}\n");
        plan.SetActive("file:///b", "void F()\n{\n    ret".Length);
        PlanBuild build = plan.Build();
        Assert.Equal(FimLayout.Psm, plan.Layout);
        Assert.Equal(
            "<|repo_name|>workspace\n<|file_sep|>src/a.cs\nint a = 1;\n<|file_sep|>src/b.cs\n"
            + "<|fim_prefix|>void F()\n{\n    ret<|fim_suffix|>urn;\n}\n<|fim_middle|>",
            Decode(tok, build));
        Assert.Equal(0, build.FirstChanged);
        Assert.Equal(["file:///a", "file:///b"], Order(build));
    }

    [Fact]
    public void SpmPutsTheSuffixFirst()
    {
        var tok = new FakeBpeTokenizer();
        var plan = new ContextPlan(tok, new ContextSettings { Layout = FimLayout.Spm });
        plan.Open("u", "b.py", "def f():\n    return 1\n");
        plan.SetActive("u", "def f():\n    re".Length);
        Assert.Equal(
            "<|repo_name|>workspace\n<|file_sep|>b.py\n<|fim_prefix|><|fim_suffix|>turn 1\n<|fim_middle|>def f():\n    re",
            Decode(tok, plan.Build()));
    }

    [Fact]
    public void PlainHeadersWithoutRepositoryTokens()
    {
        var tok = new FakeBpeTokenizer(repo: false);
        var plan = new ContextPlan(tok, new ContextSettings());
        plan.Open("a", "a.txt", "héllo 😀");
        plan.Open("b", "b.txt", "x\r\ny\r\n");
        plan.SetActive("b", 3);
        Assert.Equal(
            "--- a.txt ---\nhéllo 😀\n--- b.txt ---\n<|fim_prefix|>x\r\n<|fim_suffix|>y\r\n<|fim_middle|>",
            Decode(tok, plan.Build()));
    }

    [Fact]
    public void PrefixOnlyWithoutFimTokens()
    {
        var tok = new FakeBpeTokenizer(fim: false, repo: false);
        var plan = new ContextPlan(tok, new ContextSettings());
        plan.Open("a", "a.txt", "one\ntwo\nthree\n");
        plan.SetActive("a", 6);
        PlanBuild build = plan.Build();
        Assert.Equal(FimLayout.PrefixOnly, plan.Layout);
        Assert.Equal("--- a.txt ---\none\ntw", Decode(tok, build));
        Assert.Equal(build.Tokens.Length, build.Hints.PrefixEnd);
        Assert.Throws<ArgumentException>(() => new ContextPlan(tok, new ContextSettings { Layout = FimLayout.Psm }));
    }

    [Fact]
    public void TokenOverridesReplaceDetectedTokens()
    {
        var tok = new FakeBpeTokenizer();
        var settings = new ContextSettings { TokenOverrides = new FimTokenTexts(Prefix: "<|fim_suffix|>", Suffix: "<|fim_prefix|>") };
        var plan = new ContextPlan(tok, settings);
        plan.Open("a", "a", "ab");
        plan.SetActive("a", 1);
        Assert.EndsWith("<|fim_suffix|>a<|fim_prefix|>b<|fim_middle|>", Decode(tok, plan.Build()), StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new ContextPlan(tok, new ContextSettings { TokenOverrides = new FimTokenTexts(Middle: "<nope>") }));
    }

    [Fact]
    public void SuffixWindowIsBoundedInLines()
    {
        var tok = new FakeBpeTokenizer();
        var plan = new ContextPlan(tok, new ContextSettings { SuffixLines = 2 });
        plan.Open("a", "a", "L0\nL1\nL2\nL3\nL4\nL5\n");
        plan.SetActive("a", 4);
        string text = Decode(tok, plan.Build());
        Assert.Contains("<|fim_suffix|>1\nL2\nL3\n<|fim_middle|>", text, StringComparison.Ordinal);
    }

    [Fact]
    public void HintsPointAtSegmentsCursorLineAndPrefixEnd()
    {
        var tok = new FakeBpeTokenizer();
        var plan = new ContextPlan(tok, new ContextSettings());
        plan.Open("a", "a", "alpha\n");
        plan.Open("b", "b", "first line\nsecond line\n");
        plan.SetActive("b", "first line\nsec".Length);
        PlanBuild build = plan.Build();
        ReadOnlySpan<int> t = build.Tokens.Span;
        Assert.Equal([0, build.Segments[0].Start, build.Segments[1].Start], build.Hints.SegmentStarts);
        Assert.EndsWith("<|fim_prefix|>first line\n", Decode(tok, t[..build.Hints.CursorLineStart]), StringComparison.Ordinal);
        Assert.EndsWith("<|fim_prefix|>first line\nsec", Decode(tok, t[..build.Hints.PrefixEnd]), StringComparison.Ordinal);
        Assert.Equal(tok.Special.FimSuffix, t[build.Hints.PrefixEnd]);
    }
}
