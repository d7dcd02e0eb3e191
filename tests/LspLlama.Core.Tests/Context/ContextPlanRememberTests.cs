using LspLlama.Core.Context;
using Xunit;
using static LspLlama.Core.Tests.Context.PlanTestKit;

namespace LspLlama.Core.Tests.Context;

/// <summary>Files remembered from before a restart: the plan lays them out as they were.</summary>
public sealed class ContextPlanRememberTests
{
    private static readonly string[] s_names = ["a", "b", "c", "d"];
    private readonly FakeBpeTokenizer _tok = new();

    /// <summary>The plan before the restart: four files, "b" active (so it is last).</summary>
    private PlanBuild BeforeRestart()
    {
        var plan = new ContextPlan(_tok, new ContextSettings());
        foreach (string name in s_names)
        {
            plan.Open(name, name + ".cs", Code(name, 5));
        }

        plan.SetActive("b", 10);
        return plan.Build();
    }

    private ContextPlan Remembering(PlanBuild stored, ContextSettings? settings = null)
    {
        var plan = new ContextPlan(_tok, settings ?? new ContextSettings());
        foreach (string uri in Order(stored))
        {
            plan.Remember(uri, uri + ".cs", Code(uri, 5));
        }

        return plan;
    }

    [Fact]
    public void OnlyTheActiveFileReopenedGivesTheStoredTokens()
    {
        PlanBuild stored = BeforeRestart();
        ContextPlan plan = Remembering(stored);
        Assert.Equal(4, plan.KeptClosedCount);

        // As VS Code after a restart: only the visible editor is opened.
        plan.Open("b", "b.cs", Code("b", 5));
        plan.SetActive("b", 10);
        PlanBuild build = plan.Build();

        Assert.Equal(stored.Tokens.ToArray(), build.Tokens.ToArray());
        Assert.Equal(["a", "c", "d", "b"], Order(build));
        Assert.Equal([true, true, true, false], build.Segments.Select(s => s.Closed));
    }

    [Fact]
    public void ReopeningInAnotherOrderKeepsTheStoredOrder()
    {
        PlanBuild stored = BeforeRestart();
        ContextPlan plan = Remembering(stored);
        foreach (string name in new[] { "d", "b", "a", "c" })
        {
            plan.Open(name, name + ".cs", Code(name, 5));
        }

        plan.SetActive("b", 10);
        PlanBuild build = plan.Build();
        Assert.Equal(stored.Tokens.ToArray(), build.Tokens.ToArray());
        Assert.Equal(0, plan.KeptClosedCount);
    }

    [Fact]
    public void AFileChangedSinceReopensAsOneEditInItsPlace()
    {
        PlanBuild stored = BeforeRestart();
        ContextPlan plan = Remembering(stored);
        string changed = Code("c", 5).Replace("c2 = Compute(2)", "c2 = Compute(22)", StringComparison.Ordinal);
        plan.Open("c", "c.cs", changed);
        plan.Open("b", "b.cs", Code("b", 5));
        plan.SetActive("b", 10);
        PlanBuild build = plan.Build();

        Assert.Contains("c2 = Compute(22)", Decode(_tok, build), StringComparison.Ordinal);
        Assert.True(plan.MatchesWholeTokenization("c"));

        // The tokens before "c" are the stored ones; "c" moved to the end of the others, as an edit does.
        Assert.Equal(["a", "d", "c", "b"], Order(build));
        int common = build.Tokens.Span.CommonPrefixLength(stored.Tokens.Span);
        Assert.True(common >= stored.Segments[1].Start, $"only {common} tokens kept, before the changed file at {stored.Segments[1].Start}");
    }

    [Fact]
    public void RememberingIsRefusedWhenItCannotKeepTheOrder()
    {
        var plan = new ContextPlan(_tok, new ContextSettings());
        Assert.True(plan.Remember("a", "a.cs", Code("a", 5)));
        Assert.False(plan.Remember("a", "a.cs", Code("a", 5)));
        plan.Open("b", "b.cs", Code("b", 5));
        Assert.Throws<InvalidOperationException>(() => plan.Remember("c", "c.cs", Code("c", 5)));

        var dropping = new ContextPlan(_tok, new ContextSettings { KeepClosedFiles = false });
        Assert.False(dropping.Remember("a", "a.cs", Code("a", 5)));
        Assert.Equal(0, dropping.KeptClosedCount);
    }

    [Fact]
    public void MoreThanTheBudgetKeepsTheOldestTheFrontOfTheStoredTokens()
    {
        var plan = new ContextPlan(_tok, new ContextSettings { ContextSize = 1400, GenerationReserve = 200 });
        int taken = 0;
        for (int i = 0; i < 30; i++)
        {
            taken += plan.Remember("f" + i, $"f{i}.cs", Code("f" + i, 4)) ? 1 : 0;
        }

        Assert.InRange(taken, 1, 29);
        Assert.Equal(taken, plan.KeptClosedCount);
        PlanBuild build = plan.Build();
        Assert.True(build.Tokens.Length <= plan.Budget);
        Assert.Equal(Enumerable.Range(0, taken).Select(i => "f" + i), Order(build));
    }

    [Fact]
    public void ALargeLastFileIsRefusedAndReopenedAtTheEndWhereItWas()
    {
        var settings = new ContextSettings { ContextSize = 1400, GenerationReserve = 200 };
        var plan = new ContextPlan(_tok, settings);
        Assert.True(plan.Remember("a", "a.cs", Code("a", 4)));
        Assert.True(plan.Remember("b", "b.cs", Code("b", 4)));
        Assert.False(plan.Remember("big", "big.cs", Code("big", 200))); // was active: only its window was planned
        plan.Open("big", "big.cs", Code("big", 200));
        plan.SetActive("big", 100);
        Assert.Equal(["a", "b", "big"], Order(plan.Build()));
    }

    [Fact]
    public void RefreshingAClosedFileEditsItInPlaceAndNullForgetsIt()
    {
        PlanBuild stored = BeforeRestart();
        ContextPlan plan = Remembering(stored);
        plan.Open("b", "b.cs", Code("b", 5));
        plan.SetActive("b", 10);
        PlanBuild before = plan.Build();

        string changed = Code("c", 5).Replace("c4 = Compute(4)", "c4 = Compute(44)", StringComparison.Ordinal);
        plan.RefreshClosed("c", changed);
        plan.RefreshClosed("unknown", "x");
        plan.RefreshClosed("b", "open files are the editor's");
        Assert.Equal(changed, plan.GetClosedText("c"));
        Assert.Equal(Code("b", 5), plan.GetText("b"));

        PlanBuild after = plan.Build();
        Assert.Equal(["a", "c", "d", "b"], Order(after)); // not a use: "c" keeps its place
        Assert.True(after.FirstChanged > before.Segments[1].Start + 20, $"first change {after.FirstChanged}, file starts at {before.Segments[1].Start}");
        Assert.True(after.FirstChanged < before.Segments[2].Start);

        plan.RefreshClosed("a", null);
        Assert.Equal(["c", "d", "b"], Order(plan.Build()));
        Assert.Throws<ArgumentException>(() => plan.GetClosedText("a"));
    }

    [Fact]
    public void RememberedFilesNeverOverflowTheBudgetWithThePreambleWhateverItsSize()
    {
        for (int size = 700; size <= 1400; size += 3)
        {
            var plan = new ContextPlan(_tok, new ContextSettings { ContextSize = size, GenerationReserve = 200 });
            int taken = 0;
            for (int i = 0; i < 30; i++)
            {
                taken += plan.Remember("f" + i, $"f{i}.cs", Code("f" + i, 3 + (i % 3))) ? 1 : 0;
            }

            PlanBuild build = plan.Build();
            Assert.Equal(Enumerable.Range(0, taken).Select(i => "f" + i), Order(build));
            Assert.True(build.Tokens.Length <= plan.Budget, $"{build.Tokens.Length} tokens over a budget of {plan.Budget}");
        }
    }

    [Fact]
    public void ReopeningAnOpenDocumentEditsItOnlyWhenTheTextDiffers()
    {
        var plan = new ContextPlan(_tok, new ContextSettings());
        foreach (string name in s_names)
        {
            plan.Open(name, name + ".cs", Code(name, 5));
        }

        plan.SetActive("d", 3);
        PlanBuild before = plan.Build();
        plan.Reopen("a", "a.cs", Code("a", 5));
        PlanBuild same = plan.Build();
        Assert.Equal(before.Tokens.ToArray(), same.Tokens.ToArray());

        plan.Reopen("a", "a.cs", Code("a", 6));
        Assert.Equal(Code("a", 6), plan.GetText("a"));
        Assert.Equal(["b", "c", "a", "d"], Order(plan.Build())); // changed: a use, as an edit is

        plan.Reopen("b", "moved/b.cs", Code("b", 5));
        Assert.Contains("moved/b.cs", Decode(_tok, plan.Build()), StringComparison.Ordinal);
    }

    [Fact]
    public void APlanWithOtherSettingsKeepsTheOrderTheClosedFilesAndWhatTheBudgetLeftOut()
    {
        var settings = new ContextSettings { ContextSize = 1400, GenerationReserve = 200 };
        var plan = new ContextPlan(_tok, settings);
        for (int i = 0; i < 20; i++)
        {
            plan.Open("f" + i, $"f{i}.cs", Code("f" + i, 4));
        }

        plan.SetActive("f3", 10); // an old file made active: the order is not the open order
        plan.Build();
        plan.Close("f10");
        plan.SetActive("f19", 10);
        PlanBuild before = plan.Build();
        Assert.True(before.Evicted > 0);

        ContextPlan next = plan.WithSettings(settings with { SuffixLines = 1 });
        Assert.Equal(1, next.KeptClosedCount);
        for (int i = 0; i < 20; i++)
        {
            if (i != 10)
            {
                next.Reopen("f" + i, $"f{i}.cs", Code("f" + i, 4)); // what a new feed sends
            }
        }

        next.SetActive("f19", 10);
        PlanBuild after = next.Build();
        Assert.Equal(Order(before), Order(after));
        Assert.Equal(before.Evicted, after.Evicted);
        int activeStart = before.Segments[^1].Start;
        Assert.True(after.Tokens.Span.CommonPrefixLength(before.Tokens.Span) >= activeStart);

        ContextPlan dropping = next.WithSettings(settings with { KeepClosedFiles = false });
        Assert.Equal(0, dropping.KeptClosedCount);
        Assert.False(dropping.IsOpen("f10"));
    }
}
