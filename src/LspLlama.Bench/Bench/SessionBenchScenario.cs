using LspLlama.Core.Session;
using LspLlama.Models;

namespace LspLlama.Bench;

/// <summary>
/// A synthetic editing session over one long context: several segments of other files, then the
/// active file in PSM layout (prefix, a suffix window, the middle token). Keystrokes type at the
/// cursor; every few keystrokes an edit lands at a random place in an earlier segment. Every step
/// is one completion request. Built once and replayed under each policy.
/// </summary>
public sealed class SessionBenchScenario
{
    private const int LineLength = 30;

    private SessionBenchScenario(int[] initial, SyncHints initialHints, List<SessionBenchStep> steps)
    {
        Initial = initial;
        InitialHints = initialHints;
        Steps = steps;
    }

    public int[] Initial { get; }

    public SyncHints InitialHints { get; }

    public IReadOnlyList<SessionBenchStep> Steps { get; }

    public static SessionBenchScenario Create(SessionBenchOptions o)
    {
        var random = new Random(o.Seed);
        int otherTokens = o.Tokens - o.ActiveTokens;
        List<int>[] others = [.. Enumerable.Range(0, o.Segments - 1).Select(_ => Text(random, otherTokens / (o.Segments - 1)))];
        List<int> prefix = Text(random, o.ActiveTokens - o.SuffixTokens - 3);
        List<int> suffix = Text(random, o.SuffixTokens);
        int lineStart = prefix.Count - 10;

        (int[] Tokens, SyncHints Hints) Build()
        {
            var tokens = new List<int>(o.Tokens + o.Keystrokes + 16);
            var starts = new List<int>();
            foreach (List<int> s in others)
            {
                starts.Add(tokens.Count);
                tokens.AddRange(s);
            }

            int active = tokens.Count;
            starts.Add(active);
            tokens.Add(GeneratedVocabulary.FimPrefix);
            tokens.AddRange(prefix);
            int prefixEnd = tokens.Count;
            tokens.Add(GeneratedVocabulary.FimSuffix);
            tokens.AddRange(suffix);
            tokens.Add(GeneratedVocabulary.FimMiddle);
            return ([.. tokens], new SyncHints(starts, active + 1 + lineStart, prefixEnd));
        }

        (int[] initial, SyncHints initialHints) = Build();
        var steps = new List<SessionBenchStep>();
        for (int k = 1; k <= o.Keystrokes; k++)
        {
            prefix.Add(random.Next(256));
            if (prefix.Count - lineStart >= LineLength)
            {
                lineStart = prefix.Count;
            }

            (int[] tokens, SyncHints hints) = Build();
            steps.Add(new SessionBenchStep("type", tokens, hints));
            if (o.EditEvery > 0 && k % o.EditEvery == 0)
            {
                List<int> segment = others[random.Next(others.Length)];
                segment[random.Next(segment.Count)] = random.Next(256);
                (tokens, hints) = Build();
                steps.Add(new SessionBenchStep("edit", tokens, hints));
            }
        }

        return new SessionBenchScenario(initial, initialHints, steps);
    }

    // Byte-level tokens stand in for text: the tiny model's vocabulary starts with the 256 bytes.
    private static List<int> Text(Random random, int count) => [.. Enumerable.Range(0, count).Select(_ => random.Next(256))];
}

/// <summary>One completion request: "type" at the cursor or "edit" in an earlier segment.</summary>
public sealed record SessionBenchStep(string Kind, int[] Tokens, SyncHints Hints);
