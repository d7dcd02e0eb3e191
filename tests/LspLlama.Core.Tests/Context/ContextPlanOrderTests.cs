using LspLlama.Core.Context;
using Xunit;
using static LspLlama.Core.Tests.Context.PlanTestKit;

namespace LspLlama.Core.Tests.Context;

public sealed class ContextPlanOrderTests
{
    private readonly FakeBpeTokenizer _tok = new();

    private ContextPlan OpenFour()
    {
        var plan = new ContextPlan(_tok, new ContextSettings());
        foreach (string name in new[] { "a", "b", "c", "d" })
        {
            plan.Open(name, name + ".cs", Code(name, 5));
        }

        return plan;
    }

    [Fact]
    public void FocusOrdersByLastUse()
    {
        ContextPlan plan = OpenFour();
        plan.SetActive("b", 10);
        PlanBuild first = plan.Build();
        Assert.Equal(["a", "c", "d", "b"], Order(first));

        plan.SetActive("d", 0);
        PlanBuild atD = plan.Build();
        Assert.Equal(["a", "c", "b", "d"], Order(atD));
        Assert.Equal(first.Segments[2].Start, atD.FirstChanged - 1); // "d" left its slot; the separator before the path is shared

        // Going back to the previous file re-decodes only the two files at the end.
        plan.SetActive("b", 10);
        PlanBuild back = plan.Build();
        Assert.Equal(["a", "c", "d", "b"], Order(back));
        Assert.True(back.FirstChanged >= atD.Segments[2].Start, $"going back changed token {back.FirstChanged}, before the previous file's slot at {atD.Segments[2].Start}");
        Assert.Equal(first.Tokens.ToArray(), back.Tokens.ToArray());
    }

    [Fact]
    public void RefocusingTheActiveFileKeepsTheOrder()
    {
        ContextPlan plan = OpenFour();
        plan.SetActive("a", 5);
        plan.Edit("c", 0, 0, "x");
        PlanBuild before = plan.Build();
        Assert.Equal(["b", "d", "c", "a"], Order(before));

        plan.SetActive("a", 7);
        Assert.Equal(["b", "d", "c", "a"], Order(plan.Build()));
    }

    [Fact]
    public void ClosedFileStaysInPlaceAndReopensForFree()
    {
        ContextPlan plan = OpenFour();
        plan.SetActive("d", 10);
        PlanBuild before = plan.Build();

        plan.Close("b");
        Assert.False(plan.IsOpen("b"));
        Assert.Equal(1, plan.KeptClosedCount);
        PlanBuild closed = plan.Build();
        Assert.Equal(["a", "b", "c", "d"], Order(closed));
        Assert.Equal([false, true, false, false], closed.Segments.Select(s => s.Closed));
        Assert.Equal(before.Tokens.ToArray(), closed.Tokens.ToArray());
        Assert.Equal(closed.Tokens.Length, closed.FirstChanged);

        plan.Open("b", "b.cs", Code("b", 5));
        Assert.True(plan.IsOpen("b"));
        Assert.Equal(0, plan.KeptClosedCount);
        PlanBuild reopened = plan.Build();
        Assert.DoesNotContain(reopened.Segments, s => s.Closed);
        Assert.Equal(before.Tokens.ToArray(), reopened.Tokens.ToArray());
        Assert.Equal(reopened.Tokens.Length, reopened.FirstChanged);
    }

    [Fact]
    public void ReopeningWithOtherTextAppliesOnlyTheChangedSpan()
    {
        ContextPlan plan = OpenFour();
        plan.SetActive("d", 10);
        plan.Build();
        plan.Close("a");
        plan.Build();

        string changed = Code("a", 5).Replace("a3 = Compute(3)", "a3 = Compute(33)", StringComparison.Ordinal);
        plan.Open("a", "a.cs", changed);
        Assert.Equal(changed, plan.GetText("a"));
        Assert.True(plan.MatchesWholeTokenization("a"));
        PlanBuild build = plan.Build();
        Assert.Equal(["b", "c", "a", "d"], Order(build)); // changed: it moves to the end, as an edit does
        Assert.Contains("a3 = Compute(33)", Decode(_tok, build), StringComparison.Ordinal);
    }

    [Fact]
    public void ReopeningWithAnotherPathStartsAFreshSegment()
    {
        ContextPlan plan = OpenFour();
        plan.SetActive("d", 10);
        plan.Close("a");
        plan.Open("a", "renamed.cs", "class Renamed {}\n");
        PlanBuild build = plan.Build();
        Assert.Equal(["b", "c", "a", "d"], Order(build));
        string text = Decode(_tok, build);
        Assert.DoesNotContain("a.cs", text, StringComparison.Ordinal);
        Assert.Contains("renamed.cs", text, StringComparison.Ordinal);
    }

    [Fact]
    public void ClosingTheActiveFileKeepsItAtTheEnd()
    {
        ContextPlan plan = OpenFour();
        plan.SetActive("b", 10);
        plan.Build();
        plan.Close("b");
        PlanBuild build = plan.Build();
        Assert.Equal(["a", "c", "d", "b"], Order(build));
        Assert.DoesNotContain(build.Segments, s => s.Active);
    }

    [Fact]
    public void WithoutKeepClosedFilesClosingRemovesTheSegment()
    {
        var plan = new ContextPlan(_tok, new ContextSettings { KeepClosedFiles = false });
        foreach (string name in new[] { "a", "b", "c" })
        {
            plan.Open(name, name + ".cs", Code(name, 5));
        }

        plan.SetActive("c", 0);
        PlanBuild before = plan.Build();
        plan.Close("a");
        PlanBuild after = plan.Build();
        Assert.Equal(["b", "c"], Order(after));
        Assert.Equal(0, plan.KeptClosedCount);
        Assert.True(after.FirstChanged <= before.Segments[0].Start + 1);
    }

    [Fact]
    public void EvictedClosedFilesAreForgotten()
    {
        var plan = new ContextPlan(_tok, new ContextSettings { ContextSize = 1400, GenerationReserve = 200 });
        for (int i = 0; i < 30; i++)
        {
            string name = "f" + i;
            plan.Open(name, name + ".cs", Code(name, 4));
            plan.SetActive(name, 0);
            plan.Build();
            plan.Close(name);
        }

        PlanBuild build = plan.Build();
        Assert.True(build.Tokens.Length <= plan.Budget);
        Assert.True(plan.KeptClosedCount < 30, $"{plan.KeptClosedCount} closed files kept");
        Assert.Equal(plan.KeptClosedCount, build.Segments.Count);
        Assert.Equal(0, build.Evicted); // the ones left out are forgotten, not merely left out
        Assert.Equal("f29", build.Segments[^1].Uri);
    }

    [Fact]
    public void EditInAnotherFileReordersOnce()
    {
        ContextPlan plan = OpenFour();
        plan.SetActive("d", 10);
        PlanBuild before = plan.Build();
        Assert.Equal(["a", "b", "c", "d"], Order(before));

        plan.Edit("a", 3, 0, "x");
        PlanBuild moved = plan.Build();
        Assert.Equal(["b", "c", "a", "d"], Order(moved));
        // Both segments start with the file separator token, so the first difference is the path after it.
        Assert.Equal(before.Segments[0].Start + 1, moved.FirstChanged);

        plan.Edit("a", 4, 0, "y");
        PlanBuild again = plan.Build();
        Assert.Equal(["b", "c", "a", "d"], Order(again));
        Assert.True(again.FirstChanged > again.Segments[2].Start, "a second edit in the same file changes only that file onwards");
    }

    [Fact]
    public void TypingInTheActiveFileKeepsOtherFilesStable()
    {
        ContextPlan plan = OpenFour();
        plan.SetActive("c", 40);
        plan.Build();
        for (int i = 0; i < 20; i++)
        {
            plan.Edit("c", 40 + i, 0, "q");
            plan.SetActive("c", 41 + i);
            PlanBuild build = plan.Build();
            Assert.Equal(["a", "b", "d", "c"], Order(build));
            Assert.True(build.FirstChanged >= build.Segments[3].Start);
        }
    }

    [Fact]
    public void SpmTypingLeavesTheSuffixAlone()
    {
        var plan = new ContextPlan(_tok, new ContextSettings { Layout = FimLayout.Spm });
        string text = Code("m", 200);
        plan.Open("m", "m.cs", text);
        int cursor = text.IndexOf("m100", StringComparison.Ordinal);
        plan.SetActive("m", cursor);
        PlanBuild build = plan.Build();
        foreach (char c in "var total = 0;")
        {
            int prefixTokenAt = build.Tokens.Span.IndexOf(_tok.Special.FimMiddle!.Value);
            plan.Edit("m", cursor, 0, c.ToString());
            plan.SetActive("m", ++cursor);
            build = plan.Build();
            Assert.True(build.FirstChanged > prefixTokenAt, $"typing '{c}' changed token {build.FirstChanged}, the suffix ends at {prefixTokenAt}");
            Assert.True(build.Tokens.Length - build.FirstChanged < 12, $"typing '{c}' re-decodes {build.Tokens.Length - build.FirstChanged} tokens");
        }
    }

    [Fact]
    public void PsmTypingReDecodesOnlyTheCursorTailAndTheSuffixWindow()
    {
        var plan = new ContextPlan(_tok, new ContextSettings { Layout = FimLayout.Psm, SuffixLines = 4 });
        string text = Code("m", 200);
        plan.Open("m", "m.cs", text);
        int cursor = text.IndexOf("m100", StringComparison.Ordinal);
        plan.SetActive("m", cursor);
        PlanBuild build = plan.Build();
        foreach (char c in "var total = 0;")
        {
            plan.Edit("m", cursor, 0, c.ToString());
            plan.SetActive("m", ++cursor);
            build = plan.Build();
            int suffixTokens = build.Tokens.Length - build.Hints.PrefixEnd;
            Assert.True(build.Tokens.Length - build.FirstChanged <= suffixTokens + 8);
        }
    }

    [Fact]
    public void LongActiveDocumentStartsAtAStableChunkAlignedLine()
    {
        var plan = new ContextPlan(_tok, new ContextSettings { ContextSize = 1200, GenerationReserve = 200, PrefixChunkLines = 8 });
        string text = Code("z", 400);
        plan.Open("z", "z.cs", text);
        int cursor = text.IndexOf("z300 ", StringComparison.Ordinal);
        plan.SetActive("z", cursor);
        PlanBuild first = plan.Build();
        Assert.True(first.Tokens.Length <= plan.Budget);
        string decoded = Decode(_tok, first);
        string prefix = decoded[(decoded.IndexOf("<|fim_prefix|>", StringComparison.Ordinal) + 14)..];
        int startLine = text[..text.IndexOf(prefix[..30], StringComparison.Ordinal)].Count(ch => ch == '\n');
        Assert.Equal(0, startLine % 8);
        for (int i = 0; i < 10; i++)
        {
            plan.Edit("z", cursor, 0, "k");
            plan.SetActive("z", ++cursor);
            PlanBuild b = plan.Build();
            Assert.True(b.FirstChanged > b.Hints.CursorLineStart - 3, "the prefix start did not move");
        }
    }

    [Theory]
    [InlineData("abc", "abc")]
    [InlineData("aXa", "a")]
    [InlineData("ab", "abab")]
    [InlineData("x😀y", "x😁y")]
    [InlineData("😀😀", "😀")]
    [InlineData("", "new text")]
    [InlineData("old text", "")]
    [InlineData("line\r\nnext", "line\nnext")]
    public void ReopeningAppliesTheDifferenceExactly(string before, string after)
    {
        var plan = new ContextPlan(_tok, new ContextSettings());
        plan.Open("x", "x.cs", before);
        plan.Open("y", "y.cs", "class Y {}\n");
        plan.SetActive("y", 0);
        plan.Build();
        plan.Close("x");
        plan.Build();
        plan.Open("x", "x.cs", after);
        Assert.Equal(after, plan.GetText("x"));
        Assert.True(plan.MatchesWholeTokenization("x"));
        PlanBuild build = plan.Build();
        Assert.Contains(after, Decode(_tok, build), StringComparison.Ordinal);
    }
}
