using LspLlama.Core.Context;
using Xunit;
using static LspLlama.Core.Tests.Context.PlanTestKit;

namespace LspLlama.Core.Tests.Context;

public sealed class ContextPlanBudgetTests
{
    private readonly FakeBpeTokenizer _tok = new();

    private static readonly ContextSettings s_twelveFilesOverBudget = new() { ContextSize = 3000, GenerationReserve = 200 };

    /// <summary>Twelve files f0..f11 that do not fit, with f11 active: the first build evicts the oldest.</summary>
    private (ContextPlan Plan, PlanBuild Build) TwelveFilesOverBudget()
    {
        var plan = new ContextPlan(_tok, s_twelveFilesOverBudget);
        for (int i = 0; i < 12; i++)
        {
            plan.Open($"f{i}", $"f{i}.cs", Code($"f{i}", 30));
        }

        plan.SetActive("f11", 50);
        return (plan, plan.Build());
    }

    [Fact]
    public void EvictsFromTheFrontDownToTheLowWaterMarkOnce()
    {
        ContextSettings settings = s_twelveFilesOverBudget;
        (ContextPlan plan, PlanBuild build) = TwelveFilesOverBudget();
        Assert.True(build.Evicted > 0);
        Assert.True(build.Tokens.Length <= settings.ContextSize * PlanShares.LowWater, $"{build.Tokens.Length} tokens after eviction");
        Assert.Equal("f11", build.Segments[^1].Uri);
        int oldest = int.Parse(build.Segments[0].Uri[1..], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(build.Evicted, oldest);

        // Typing grows the plan but does not evict again until it is over budget.
        int evicted = build.Evicted;
        int cursor = 50;
        for (int i = 0; i < 30; i++)
        {
            plan.Edit("f11", cursor, 0, "w");
            plan.SetActive("f11", ++cursor);
            build = plan.Build();
            Assert.Equal(evicted, build.Evicted);
            Assert.True(build.FirstChanged >= build.Segments[^1].Start);
        }

        // An evicted file that is edited comes back, at the end.
        plan.Edit("f0", 0, 0, "// ");
        build = plan.Build();
        Assert.Equal("f0", build.Segments[^2].Uri);
        Assert.True(build.Tokens.Length <= plan.Budget);
    }

    [Fact]
    public void RandomSessionsNeverExceedTheBudgetAndFirstChangedIsExact()
    {
        for (int seed = 0; seed < 12; seed++)
        {
            var rng = new Random(seed);
            var tok = new FakeBpeTokenizer(qwen2Style: seed % 2 == 0, repo: seed % 3 != 0, fim: seed % 5 != 4);
            var settings = new ContextSettings
            {
                ContextSize = rng.Next(300, 4000),
                GenerationReserve = rng.Next(0, 100),
                SuffixLines = rng.Next(0, 20),
                PrefixChunkLines = rng.Next(1, 40),
                Layout = seed % 5 == 4 ? FimLayout.Auto : (FimLayout)rng.Next(4),
                KeepClosedFiles = seed % 4 != 1,
            };
            var plan = new ContextPlan(tok, settings);
            var texts = new Dictionary<string, string>();
            var closed = new Dictionary<string, string>();
            int[] previous = [];
            for (int step = 0; step < 150; step++)
            {
                string uri = $"u{rng.Next(8)}";
                int op = rng.Next(10);
                if (!texts.ContainsKey(uri))
                {
                    // Reopened as it was closed, changed on disk meanwhile, or a new file.
                    string text = RandomText.Document(rng, rng.Next(0, 150));
                    if (closed.Remove(uri, out string? before) && op < 7)
                    {
                        (int s, int r, string ins) = RandomText.Edit(rng, before.Length, allowSplitPairs: false);
                        text = op < 4 ? before : before.Remove(s, r).Insert(s, ins);
                    }

                    texts[uri] = text;
                    plan.Open(uri, uri + ".txt", text);
                    Assert.True(plan.MatchesWholeTokenization(uri), $"seed {seed} step {step}: reopened {uri}");
                }
                else if (op == 0)
                {
                    plan.Close(uri);
                    closed[uri] = texts[uri];
                    texts.Remove(uri);
                }
                else if (op <= 2)
                {
                    plan.SetActive(uri, rng.Next(texts[uri].Length + 1));
                }
                else
                {
                    (int s, int r, string ins) = RandomText.Edit(rng, texts[uri].Length, allowSplitPairs: false);
                    texts[uri] = texts[uri].Remove(s, r).Insert(s, ins);
                    plan.Edit(uri, s, r, ins);
                }

                PlanBuild build = plan.Build();
                int[] now = build.Tokens.ToArray();
                string where = $"seed {seed} step {step}";
                Assert.True(now.Length <= plan.Budget, $"{where}: {now.Length} tokens over budget {plan.Budget}");
                Assert.True(SegmentPropertyCheck.BruteFirstDifference(previous, now) == build.FirstChanged, $"{where}: first changed {build.FirstChanged}");
                Assert.True(build.Hints.SegmentStarts.SequenceEqual(build.Hints.SegmentStarts.Order()), where);
                Assert.True(build.Hints.CursorLineStart <= build.Hints.PrefixEnd && build.Hints.PrefixEnd <= now.Length, where);
                previous = now;
            }

            foreach ((string uri, string text) in texts)
            {
                Assert.Equal(text, plan.GetText(uri));
            }

            Assert.True(plan.KeptClosedCount <= closed.Count);
        }
    }

    [Fact]
    public void AbsurdPathsAndSettingsAreHandled()
    {
        var plan = new ContextPlan(_tok, new ContextSettings { ContextSize = 300, GenerationReserve = 100 });
        string path = string.Concat(Enumerable.Repeat("very/long/folder/name/", 200)) + "x.cs";
        plan.Open("a", path, "int x;\n");
        plan.SetActive("a", 3);
        PlanBuild build = plan.Build();
        Assert.True(build.Tokens.Length <= plan.Budget);
        Assert.EndsWith("<|fim_prefix|><|fim_suffix|> x;\n<|fim_middle|>int", Decode(_tok, build), StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new ContextPlan(_tok, new ContextSettings { ContextSize = 100, GenerationReserve = 50 }));
        Assert.Throws<ArgumentException>(() => new ContextPlan(_tok, new ContextSettings { GenerationReserve = ContextSettings.DefaultContextSize }));
        Assert.Throws<ArgumentException>(() => new ContextPlan(_tok, new ContextSettings { PlainFileHeader = "no path" }));
    }

    [Fact]
    public void BadEditsAreRejectedAndLoseNothing()
    {
        var plan = new ContextPlan(_tok, new ContextSettings());
        plan.Open("a", "a", "héllo\r\nwörld 😀\r\n");
        Assert.Throws<ArgumentOutOfRangeException>(() => plan.Edit("a", 5, 100, "x"));
        Assert.Throws<ArgumentOutOfRangeException>(() => plan.Edit("a", -1, 0, "x"));
        Assert.Throws<ArgumentException>(() => plan.Edit("nope", 0, 0, "x"));
        Assert.Throws<ArgumentOutOfRangeException>(() => plan.SetActive("a", 99));
        Assert.Throws<ArgumentException>(() => plan.Open("a", "a", ""));
        Assert.Equal("héllo\r\nwörld 😀\r\n", plan.GetText("a"));
        plan.Edit("a", 7, 0, "\r\n");
        plan.SetActive("a", 9);
        Assert.Contains("<|fim_prefix|>héllo\r\n\r\n<|fim_suffix|>wörld 😀\r\n<|fim_middle|>", Decode(_tok, plan.Build()), StringComparison.Ordinal);
    }

    [Fact]
    public void ClosedFilesGiveWayBeforeOpenOnes()
    {
        var settings = new ContextSettings { ContextSize = 2400, GenerationReserve = 200 };
        var plan = new ContextPlan(_tok, settings);
        plan.Open("a", "a.cs", Code("a", 10));
        plan.Open("b", "b.cs", Code("b", 10));
        string big = Code("big", 140);
        plan.Open("big", "big.cs", big);
        plan.SetActive("big", big.Length / 2);
        plan.Build();

        // Closed, the big file is kept whole at the end, which is over budget: it goes, a and b stay.
        plan.Close("big");
        plan.SetActive("a", 0);
        PlanBuild build = plan.Build();
        Assert.True(build.Tokens.Length <= plan.Budget);
        Assert.Equal(["b", "a"], Order(build));
        Assert.Equal(0, build.Evicted);
        Assert.Equal(0, plan.KeptClosedCount);
    }

    [Fact]
    public void AFileEvictedThenClosedAndReopenedComesBackAsNew()
    {
        (ContextPlan plan, PlanBuild build) = TwelveFilesOverBudget();
        Assert.True(build.Evicted > 0);
        Assert.DoesNotContain(build.Segments, s => s.Uri == "f0");

        plan.Close("f0");
        plan.Open("f0", "f0.cs", Code("f0", 30));
        build = plan.Build();
        Assert.Equal("f0", build.Segments[^2].Uri);
        Assert.True(build.Tokens.Length <= plan.Budget);
    }
}
