using LspLlama.Core.Context;
using LspLlama.Core.Tokens;
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
            + "<|fim_prefix|>void F()\n{\n<|fim_suffix|>urn;\n}\n<|fim_middle|>    ret",
            Decode(tok, build));
        Assert.Equal(0, build.FirstChanged);
        Assert.Equal(["file:///a", "file:///b"], Order(build));
    }

    [Fact]
    public void PsmWithTheCursorLineInThePrefixOnRequest()
    {
        var tok = new FakeBpeTokenizer();
        var plan = new ContextPlan(tok, new ContextSettings { CursorLineInMiddle = false });
        plan.Open("file:///b", "src/b.cs", "void F()\n{\n    return;\n}\n");
        plan.SetActive("file:///b", "void F()\n{\n    ret".Length);
        Assert.EndsWith("<|fim_prefix|>void F()\n{\n    ret<|fim_suffix|>urn;\n}\n<|fim_middle|>", Decode(tok, plan.Build()), StringComparison.Ordinal);
    }

    [Fact]
    public void TypingOnTheCursorLineChangesOnlyTokensAfterTheMiddleMarker()
    {
        var tok = new FakeBpeTokenizer();
        var plan = new ContextPlan(tok, new ContextSettings());
        string text = "class C\n{\n    void F()\n    {\n        \n    }\n}\n";
        int cursor = text.IndexOf("        \n", StringComparison.Ordinal) + 8;
        plan.Open("a", "a.cs", text);
        plan.SetActive("a", cursor);
        PlanBuild before = plan.Build();
        int middle = before.Tokens.Span.IndexOf(tok.Special.FimMiddle!.Value);
        foreach (char c in "return x;")
        {
            plan.Edit("a", cursor, 0, c.ToString());
            plan.SetActive("a", ++cursor);
            PlanBuild build = plan.Build();
            Assert.True(build.FirstChanged > middle, $"typing '{c}' changed token {build.FirstChanged}, before the middle marker at {middle}");
        }

        Assert.EndsWith("<|fim_middle|>        return x;", Decode(tok, plan.Build()), StringComparison.Ordinal);

        // Enter at the end of the line: the text after the cursor is the same, so the split stays
        // and only the text after the middle marker changes.
        int middleMarker = plan.Build().Tokens.Span.IndexOf(tok.Special.FimMiddle!.Value);
        plan.Edit("a", cursor, 0, "\n        ");
        cursor += 9;
        plan.SetActive("a", cursor);
        PlanBuild next = plan.Build();
        Assert.EndsWith("    {\n<|fim_suffix|>\n    }\n}\n<|fim_middle|>        return x;\n        ", Decode(tok, next), StringComparison.Ordinal);
        Assert.True(next.FirstChanged > middleMarker, $"Enter changed token {next.FirstChanged}, the middle marker is at {middleMarker}");

        // Past MaxMiddleLines new lines the split moves to the cursor's line, once.
        int moves = 0;
        for (int i = 0; i < ActiveWindow.MaxMiddleLines + 2; i++)
        {
            plan.Edit("a", cursor, 0, "y();\n        ");
            cursor += 13;
            plan.SetActive("a", cursor);
            PlanBuild b = plan.Build();
            moves += b.FirstChanged < b.Hints.SuffixStart + 1 ? 1 : 0;
        }

        Assert.Equal(1, moves);
        Assert.True(Decode(tok, plan.Build()).Split("<|fim_middle|>")[1].Count(ch => ch == '\n') <= ActiveWindow.MaxMiddleLines);

        // A jump above the split moves it to the new cursor's line.
        plan.SetActive("a", text.IndexOf("void", StringComparison.Ordinal) + 2);
        Assert.EndsWith("<|fim_middle|>    vo", Decode(tok, plan.Build()), StringComparison.Ordinal);
    }

    [Fact]
    public void WithASmallBudgetTheSplitFollowsTheCursorSoThePrefixIsNotStarved()
    {
        var tok = new FakeBpeTokenizer();
        var plan = new ContextPlan(tok, new ContextSettings { ContextSize = 400, GenerationReserve = 100, SuffixLines = 2, PrefixChunkLines = 2 });
        string text = Code("s", 40);
        int cursor = text.IndexOf("s20 ", StringComparison.Ordinal) - 4;
        plan.Open("s", "s.cs", text);
        plan.SetActive("s", cursor);
        plan.Build();
        for (int i = 0; i < 6; i++)
        {
            plan.Edit("s", cursor, 0, "int variableNumber" + i + " = Compute(" + i + ");\n    ");
            cursor += ("int variableNumber" + i + " = Compute(" + i + ");\n    ").Length;
            plan.SetActive("s", cursor);
            PlanBuild build = plan.Build();
            string planned = Decode(tok, build);
            int pre = planned.IndexOf("<|fim_prefix|>", StringComparison.Ordinal) + "<|fim_prefix|>".Length;
            int suf = planned.IndexOf("<|fim_suffix|>", StringComparison.Ordinal);
            Assert.True(suf - pre > 20, $"after {i + 1} new lines the prefix holds {suf - pre} chars: {planned}");
            Assert.True(build.Tokens.Length <= plan.Budget);
        }
    }

    [Fact]
    public void AVeryLongLineKeepsTheTextAfterTheMiddleMarkerShort()
    {
        var tok = new FakeBpeTokenizer();
        var plan = new ContextPlan(tok, new ContextSettings { ContextSize = 32_768 });
        string line = string.Concat(Enumerable.Repeat("a=b;", 300));
        plan.Open("a", "min.js", line + "\n");
        plan.SetActive("a", 1000);
        string planned = Decode(tok, plan.Build());
        string middle = planned[(planned.IndexOf("<|fim_middle|>", StringComparison.Ordinal) + "<|fim_middle|>".Length)..];
        Assert.InRange(middle.Length, 1, 256 + 8);
        Assert.Equal(line[..1000], planned[(planned.IndexOf("<|fim_prefix|>", StringComparison.Ordinal) + "<|fim_prefix|>".Length)..planned.IndexOf("<|fim_suffix|>", StringComparison.Ordinal)] + middle);
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
        var settings = new ContextSettings { TokenOverrides = new FimTokenTexts(Prefix: "<|fim_suffix|>", Suffix: "<|fim_prefix|>"), CursorLineInMiddle = false };
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
    public void SuffixWindowOfOneHugeLineIsBoundedInChars()
    {
        // Minified code: the suffix's "lines" are one line of a megabyte; tokenizing all of it
        // to keep a few hundred tokens would cost seconds on every cursor move.
        var tok = new RecordingTokenizer(new FakeBpeTokenizer());
        var settings = new ContextSettings { ContextSize = 2048, GenerationReserve = 256 };
        var plan = new ContextPlan(tok, settings);
        string line = string.Concat(Enumerable.Repeat("f(a,b);", 150_000));
        plan.Open("a", "a", line);
        plan.SetActive("a", 500);
        string text = Decode(tok, plan.Build());

        int suffixStart = text.IndexOf("<|fim_suffix|>", StringComparison.Ordinal) + "<|fim_suffix|>".Length;
        Assert.StartsWith(line[500..600], text[suffixStart..], StringComparison.Ordinal);
        int longestBesidesTheDocument = tok.Lengths.Where(length => length != line.Length).Max();
        Assert.True(longestBesidesTheDocument <= 2048 * ActiveWindow.SuffixCharsPerToken, $"tokenized {longestBesidesTheDocument} chars for the suffix window");
    }

    private sealed class RecordingTokenizer(ITokenizer inner) : ITokenizer
    {
        public List<int> Lengths { get; } = [];

        public int VocabularySize => inner.VocabularySize;

        public SpecialTokens Special => inner.Special;

        public int[] Tokenize(string text, bool parseSpecial = false)
        {
            Lengths.Add(text.Length);
            return inner.Tokenize(text, parseSpecial);
        }

        public ReadOnlySpan<byte> TokenBytes(int token) => inner.TokenBytes(token);

        public bool IsEndOfGeneration(int token) => inner.IsEndOfGeneration(token);
    }

    [Fact]
    public void HintsPointAtTheSuffixMarkerTheCursorLineAndTheEnd()
    {
        var tok = new FakeBpeTokenizer();
        var plan = new ContextPlan(tok, new ContextSettings());
        plan.Open("b", "b", "first line\nsecond line\n");
        plan.SetActive("b", "first line\nsec".Length);
        PlanBuild build = plan.Build();
        ReadOnlySpan<int> t = build.Tokens.Span;
        Assert.Equal(tok.Special.FimSuffix, t[build.Hints.SuffixStart]);
        Assert.EndsWith("<|fim_prefix|>first line\n", Decode(tok, t[..build.Hints.SuffixStart]), StringComparison.Ordinal);
        Assert.EndsWith("<|fim_middle|>", Decode(tok, t[..build.Hints.CursorLineStart]), StringComparison.Ordinal);
        Assert.Equal(t.Length, build.Hints.PrefixEnd);
    }

    [Fact]
    public void HintsPointAtSegmentsCursorLineAndPrefixEnd()
    {
        var tok = new FakeBpeTokenizer();
        var plan = new ContextPlan(tok, new ContextSettings { CursorLineInMiddle = false });
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
