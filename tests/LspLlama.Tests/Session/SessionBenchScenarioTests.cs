using LspLlama.Bench;
using LspLlama.Models;
using Xunit;

namespace LspLlama.Tests.Session;

public sealed class SessionBenchScenarioTests
{
    [Fact]
    public void Keystrokes_change_the_token_at_the_cursor_and_edits_land_in_earlier_segments()
    {
        var options = new SessionBenchOptions { Tokens = 2000, Segments = 4, ActiveTokens = 500, SuffixTokens = 64, Keystrokes = 12, EditEvery = 4 };
        var scenario = SessionBenchScenario.Create(options);

        Assert.InRange(scenario.Initial.Length, options.Tokens - options.Segments, options.Tokens);
        Assert.Equal(15, scenario.Steps.Count);
        int[] previous = scenario.Initial;
        foreach (SessionBenchStep step in scenario.Steps)
        {
            int changed = previous.AsSpan().CommonPrefixLength(step.Tokens);
            int activeStart = step.Hints.SegmentStarts[^1];
            Assert.Equal(4, step.Hints.SegmentStarts.Count);
            Assert.Equal(GeneratedVocabulary.FimPrefix, step.Tokens[activeStart]);
            Assert.Equal(GeneratedVocabulary.FimSuffix, step.Tokens[step.Hints.PrefixEnd]);
            Assert.Equal(GeneratedVocabulary.FimMiddle, step.Tokens[^1]);
            Assert.InRange(step.Hints.CursorLineStart, activeStart + 1, step.Hints.PrefixEnd);
            if (step.Kind == "type")
            {
                Assert.Equal(previous.Length + 1, step.Tokens.Length);
                Assert.Equal(step.Hints.PrefixEnd - 1, changed);
            }
            else
            {
                Assert.Equal(previous.Length, step.Tokens.Length);
                Assert.True(changed < activeStart, $"edit at {changed}, active file from {activeStart}");
            }

            previous = step.Tokens;
        }
    }
}
