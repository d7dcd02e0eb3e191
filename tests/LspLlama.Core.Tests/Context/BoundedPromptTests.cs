using LspLlama.Core.Context;
using Xunit;
using static LspLlama.Core.Tests.Context.PlanTestKit;

namespace LspLlama.Core.Tests.Context;

/// <summary>
/// The bounded prompt over real plans (fake BPE tokens): an edit or a switch early in a long context
/// is answered from the held context plus the exact end, within the bound, and what lags is named.
/// </summary>
public sealed class BoundedPromptTests
{
    private const int Max = 600;

    private readonly FakeBpeTokenizer _tok = new();

    /// <summary>Six files of about 300 tokens each (f0 oldest), f5 active, synced: what the memory holds.</summary>
    private (ContextPlan Plan, int[] Held, PlannedSegment[] Layout) Synced(int maxActive = 0)
    {
        var plan = new ContextPlan(_tok, new ContextSettings { ContextSize = 8000, MaxActiveTokens = maxActive });
        for (int i = 0; i < 6; i++)
        {
            plan.Open($"f{i}", $"f{i}.cs", Code($"f{i}", 25));
        }

        plan.SetActive("f5", 400);
        PlanBuild build = plan.Build();
        return (plan, build.Tokens.ToArray(), [.. build.Segments]);
    }

    private static int Cost(ReadOnlySpan<int> held, ReadOnlySpan<int> prompt) => prompt.Length - held.CommonPrefixLength(prompt);

    [Fact]
    public void AnEditAtTheTopOfTheFirstFileKeepsTheHeldContextAndTheExactActivePart()
    {
        (ContextPlan plan, int[] held, PlannedSegment[] layout) = Synced();
        plan.Edit("f0", 0, 0, "// changed at the top\n");
        plan.SetActive("f5", 400);
        PlanBuild exact = plan.Build();
        Assert.True(Cost(held, exact.Tokens.Span) > Max, "the exact plan must cost more than the bound for this test to mean anything");

        PlanBuild bounded = BoundedPrompt.Choose(exact, held, layout, t => t, Max, plan.Budget);

        Assert.True(Cost(held, bounded.Tokens.Span) <= Max);
        PlannedSegment active = exact.Segments[^1];
        Assert.True(active.Active);
        Assert.Equal(exact.Tokens.Span[active.Start..].ToArray(), bounded.Tokens.Span[^active.Length..].ToArray());
        Assert.Equal(held.AsSpan(0, layout[^1].Start).ToArray(), bounded.Tokens.Span[..layout[^1].Start].ToArray());

        PromptLag lag = BoundedPrompt.LagOf(exact, bounded.Tokens.Span, bounded.Segments);
        Assert.Equal(["f0"], lag.Uris);
        Assert.Equal(exact.Segments.Single(x => x.Uri == "f0").Length, lag.Tokens);
    }

    [Fact]
    public void TheHintsFollowTheActivePartToItsNewPlace()
    {
        (ContextPlan plan, int[] held, PlannedSegment[] layout) = Synced();
        plan.Edit("f0", 0, 0, "// a longer change at the top, so the active part moves\n// and another line\n");
        plan.SetActive("f5", 400);
        PlanBuild exact = plan.Build();

        PlanBuild bounded = BoundedPrompt.Choose(exact, held, layout, t => t, Max, plan.Budget);

        int shift = bounded.Segments[^1].Start - exact.Segments[^1].Start;
        Assert.NotEqual(0, shift);
        Assert.Equal(exact.Hints.CursorLineStart + shift, bounded.Hints.CursorLineStart);
        Assert.Equal(exact.Hints.PrefixEnd + shift, bounded.Hints.PrefixEnd);
        Assert.Equal(exact.Hints.SuffixStart + shift, bounded.Hints.SuffixStart);
        Assert.Equal(bounded.Segments[^1].Start, bounded.Hints.SegmentStarts[^1]);
        Assert.Equal(bounded.Hints.SegmentStarts.Order(), bounded.Hints.SegmentStarts);
    }

    [Fact]
    public void ASwitchToAnOldFileShowsTheFileJustLeftExactlyWhenItFits()
    {
        (ContextPlan plan, int[] held, PlannedSegment[] layout) = Synced();
        plan.SetActive("f0", 100);
        PlanBuild exact = plan.Build();
        Assert.True(Cost(held, exact.Tokens.Span) > 1200);

        PlanBuild bounded = BoundedPrompt.Choose(exact, held, layout, t => t, 1200, plan.Budget);

        // f5 (just left) now stands as context right before the new active part; f0's old copy stays where it was.
        Assert.True(Cost(held, bounded.Tokens.Span) <= 1200);
        Assert.Equal(["f0", "f1", "f2", "f3", "f4", "f5", "f0"], Order(bounded));
        Assert.False(BoundedPrompt.LagOf(exact, bounded.Tokens.Span, bounded.Segments).Any);

        // With a tighter bound the file just left does not fit: it lags, the active part never does.
        PlanBuild tight = BoundedPrompt.Choose(exact, held, layout, t => t, Max, plan.Budget);
        Assert.True(Cost(held, tight.Tokens.Span) <= Max);
        Assert.Equal(["f5"], BoundedPrompt.LagOf(exact, tight.Tokens.Span, tight.Segments).Uris);
    }

    [Fact]
    public void TypingAfterASwitchReusesTheFileJustLeftInsteadOfCopyingItAgain()
    {
        (ContextPlan plan, int[] held, PlannedSegment[] layout) = Synced();
        plan.SetActive("f0", 100);
        PlanBuild switched = BoundedPrompt.Choose(plan.Build(), held, layout, t => t, 1200, plan.Budget);
        Assert.Equal(["f0", "f1", "f2", "f3", "f4", "f5", "f0"], Order(switched));

        // Keystrokes in f0: the memory holds f5 exactly, right before the active part. A prompt that
        // keeps it and appends it again is longer, but decodes f5 anew on every keystroke and grows by
        // a copy of f5 each time.
        int[] memory = switched.Tokens.ToArray();
        PlannedSegment[] memoryLayout = [.. switched.Segments];
        for (int keystroke = 0; keystroke < 3; keystroke++)
        {
            plan.Edit("f0", 100 + keystroke, 0, "x");
            plan.SetActive("f0", 101 + keystroke);
            PlanBuild typed = BoundedPrompt.Choose(plan.Build(), memory, memoryLayout, t => t, 1200, plan.Budget);

            Assert.Equal(["f0", "f1", "f2", "f3", "f4", "f5", "f0"], Order(typed));
            Assert.True(Cost(memory, typed.Tokens.Span) < 100, $"keystroke {keystroke} decodes {Cost(memory, typed.Tokens.Span)}");
            (memory, memoryLayout) = (typed.Tokens.ToArray(), [.. typed.Segments]);
        }
    }

    [Fact]
    public void RecurrentMemoryKeepsOnlyWhereACheckpointLies()
    {
        (ContextPlan plan, int[] held, PlannedSegment[] layout) = Synced();
        plan.Edit("f0", 0, 0, "// changed\n");
        plan.SetActive("f5", 400);
        PlanBuild exact = plan.Build();

        // Checkpoints only at f3's start: a rollback keeps that much, whatever the common prefix.
        int f3 = layout.Single(s => s.Uri == "f3").Start;
        int KeptAt(int target) => target >= held.Length ? held.Length : target >= f3 ? f3 : 0;
        PlanBuild bounded = BoundedPrompt.Choose(exact, held, layout, KeptAt, Max, plan.Budget);

        int common = held.AsSpan().CommonPrefixLength(bounded.Tokens.Span);
        int decoded = bounded.Tokens.Length - KeptAt(Math.Min(common, bounded.Tokens.Length - 1));
        Assert.True(decoded <= Max, $"decodes {decoded}");
        Assert.Equal(held.AsSpan(0, f3).ToArray(), bounded.Tokens.Span[..f3].ToArray());
        Assert.Equal(["f0", "f3", "f4"], BoundedPrompt.LagOf(exact, bounded.Tokens.Span, bounded.Segments).Uris.Order());
    }

    [Fact]
    public void TheBudgetIsNeverExceeded()
    {
        (ContextPlan plan, int[] held, PlannedSegment[] layout) = Synced();
        plan.SetActive("f0", 100);
        PlanBuild exact = plan.Build();
        int budget = exact.Tokens.Length; // No room for f0's stale copy and the tail both.

        PlanBuild bounded = BoundedPrompt.Choose(exact, held, layout, t => t, 1200, budget);

        Assert.True(bounded.Tokens.Length <= budget);
        Assert.True(Cost(held, bounded.Tokens.Span) <= 1200);
    }

    [Fact]
    public void AnEmptyMemoryGetsTheActivePartAlone()
    {
        (ContextPlan plan, _, _) = Synced(maxActive: 400);
        plan.SetActive("f5", 400);
        PlanBuild exact = plan.Build();

        PlanBuild bounded = BoundedPrompt.Choose(exact, [], [], t => 0, 400, plan.Budget);

        Assert.Equal(["f5"], Order(bounded));
        Assert.True(bounded.Tokens.Length <= 400);
        Assert.Equal(5, BoundedPrompt.LagOf(exact, bounded.Tokens.Span, bounded.Segments).Documents);
    }

    [Fact]
    public void TheActivePartStaysWithinItsCap()
    {
        (ContextPlan plan, _, _) = Synced(maxActive: 256);
        plan.Open("big", "big.cs", Code("big", 400));
        plan.SetActive("big", 9000);
        PlanBuild build = plan.Build();

        Assert.True(build.Segments[^1].Length <= 256);
    }

    [Fact]
    public void AMemoryThatHoldsTheExactPlanLagsNowhere()
    {
        (ContextPlan plan, int[] held, PlannedSegment[] layout) = Synced();
        plan.SetActive("f5", 400);
        PlanBuild exact = plan.Build();

        Assert.Same(PromptLag.None, BoundedPrompt.LagOf(exact, held, layout));
    }
}
