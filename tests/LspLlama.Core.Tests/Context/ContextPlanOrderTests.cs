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
    public void FocusDoesNotReorder()
    {
        ContextPlan plan = OpenFour();
        plan.SetActive("b", 10);
        PlanBuild first = plan.Build();
        int[] firstTokens = first.Tokens.ToArray();
        Assert.Equal(["a", "c", "d", "b"], Order(first));

        plan.SetActive("d", 0);
        Assert.Equal(["a", "b", "c", "d"], Order(plan.Build()));

        plan.SetActive("b", 10);
        PlanBuild back = plan.Build();
        Assert.Equal(firstTokens, back.Tokens.ToArray());
        Assert.Equal(["a", "c", "d", "b"], Order(back));
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
}
