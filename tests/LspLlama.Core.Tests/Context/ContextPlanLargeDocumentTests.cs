using LspLlama.Core.Context;
using Xunit;
using static LspLlama.Core.Tests.Context.PlanTestKit;

namespace LspLlama.Core.Tests.Context;

/// <summary>
/// A 20 MB minified file: the plan tokenizes a slice around the cursor, never the whole line, and
/// the prompt still holds the text right around the cursor wherever it goes.
/// </summary>
public sealed class ContextPlanLargeDocumentTests
{
    private const string Uri = "file:///bundle.min.js";

    [Fact]
    public void Opening_typing_in_and_jumping_around_a_20_MB_line_tokenizes_slices_only()
    {
        var tok = new FakeBpeTokenizer();
        var plan = new ContextPlan(tok, new ContextSettings());
        string text = RandomText.Minified(20_000_000);
        int slice = plan.SliceChars;
        plan.Open(Uri, "bundle.min.js", text);
        Assert.True(plan.TokenizedChars < 2 * slice, $"the open tokenized {plan.TokenizedChars} chars of {text.Length}");

        int cursor = text.Length / 2;
        plan.SetActive(Uri, cursor);
        AssertAroundCursor(tok, plan, text, cursor);

        long before = plan.TokenizedChars;
        foreach (char c in "if(a&&b)return c;")
        {
            plan.Edit(Uri, cursor, 0, c.ToString());
            text = text.Insert(cursor, c.ToString());
            plan.SetActive(Uri, ++cursor);
            plan.Build();
        }

        Assert.True(plan.TokenizedChars - before < 17 * 4 * 4096, $"17 keystrokes tokenized {plan.TokenizedChars - before} chars");
        AssertAroundCursor(tok, plan, text, cursor);

        // An edit far before the slice moves it, and a jump there brings the slice along.
        plan.Edit(Uri, 5, 0, "/*x*/");
        text = text.Insert(5, "/*x*/");
        cursor += 5;
        AssertAroundCursor(tok, plan, text, cursor);
        foreach (int jump in new[] { 8, text.Length - 3, text.Length })
        {
            before = plan.TokenizedChars;
            plan.SetActive(Uri, jump);
            AssertAroundCursor(tok, plan, text, jump);
            Assert.True(plan.TokenizedChars - before < 3 * slice, $"a jump tokenized {plan.TokenizedChars - before} chars");
        }

        Assert.Equal(text, plan.GetText(Uri));
        Assert.True(plan.MatchesWholeTokenization(Uri));
    }

    [Fact]
    public void A_large_file_left_for_another_keeps_its_text_exact_and_its_slice_where_its_cursor_is()
    {
        var tok = new FakeBpeTokenizer();
        var plan = new ContextPlan(tok, new ContextSettings { ContextSize = 32_768 });
        string big = Code("Big", 40_000); // about 1 MB of lines: more than the budget holds, as a whole or as its slice
        int cursor = big.Length / 2;
        plan.Open("file:///big.cs", "big.cs", big);
        plan.SetActive("file:///big.cs", cursor);
        AssertAroundCursor(tok, plan, big, cursor);
        plan.Open("file:///small.cs", "small.cs", "int x;\n");
        plan.SetActive("file:///small.cs", 3);
        Assert.True(plan.Build().Tokens.Length <= plan.Budget);

        // Edited while another file has the focus (a refactoring, a formatter): before its slice and in it.
        plan.Edit("file:///big.cs", 0, 0, "// top\n");
        plan.Edit("file:///big.cs", cursor + 7, 0, "x");
        big = "// top\n" + big.Insert(cursor, "x");
        Assert.Equal(big, plan.GetText("file:///big.cs"));
        Assert.True(plan.MatchesWholeTokenization("file:///big.cs"));
        Assert.True(plan.Build().Tokens.Length <= plan.Budget);

        plan.SetActive("file:///big.cs", cursor + 8);
        AssertAroundCursor(tok, plan, big, cursor + 8);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2048)]
    public void Typing_on_an_enormous_line_rarely_moves_the_start_of_the_prefix(int maxActiveTokens)
    {
        // A line longer than the prefix budget is cut by tokens; a cut at exactly the budget moved
        // with every keystroke and re-decoded the whole active part each time.
        var tok = new FakeBpeTokenizer();
        var plan = new ContextPlan(tok, new ContextSettings { MaxActiveTokens = maxActiveTokens });
        string text = RandomText.Minified(2_000_000);
        int cursor = text.Length / 2;
        plan.Open(Uri, "bundle.min.js", text);
        plan.SetActive(Uri, cursor);
        PlanBuild build = plan.Build();
        int redecoded = 0;
        for (int i = 0; i < 200; i++)
        {
            plan.Edit(Uri, cursor, 0, "x");
            plan.SetActive(Uri, ++cursor);
            PlanBuild next = plan.Build();
            redecoded += next.FirstChanged < build.Tokens.Length - 600 ? 1 : 0;
            build = next;
        }

        // The middle marker's run moves every 256 chars on a long line; the prefix start once.
        Assert.True(redecoded <= 3, $"{redecoded} of 200 keystrokes re-decoded the prefix");
    }

    /// <summary>The prompt holds the text just before the cursor (up to it) and just after it.</summary>
    private static void AssertAroundCursor(FakeBpeTokenizer tok, ContextPlan plan, string text, int cursor)
    {
        PlanBuild build = plan.Build();
        Assert.True(build.Tokens.Length <= plan.Budget, $"plan of {build.Tokens.Length} tokens");
        string decoded = Decode(tok, build);
        string before = text[Math.Max(0, cursor - 3000)..cursor];
        string after = text[cursor..Math.Min(text.Length, cursor + 200)];
        Assert.Contains(after, decoded, StringComparison.Ordinal);
        string middle = "<|fim_middle|>";
        int split = decoded.LastIndexOf(middle, StringComparison.Ordinal);
        string prefix = decoded[..decoded.IndexOf("<|fim_suffix|>", StringComparison.Ordinal)] + decoded[(split + middle.Length)..];
        Assert.EndsWith(before, prefix, StringComparison.Ordinal);
    }
}
