using LspLlama.Core.Session;

namespace LspLlama.Core.Context;

/// <summary>
/// What a prompt shows of the exact plan: the documents whose exact tokens it lacks (left out, or
/// present only as the text the model last decoded for them) and how many tokens those hold.
/// </summary>
public sealed record PromptLag(int Documents, int Tokens, IReadOnlyList<string> Uris)
{
    public static PromptLag None { get; } = new(0, 0, []);

    public bool Any => Documents > 0;
}

/// <summary>
/// A prompt a completion can answer from within a bound of decoded tokens when the exact plan would
/// cost more (an edit or a switch early in a long context costs everything after it): the context
/// the memory holds, up to a boundary it can keep, then the exact plan from one of its segment
/// starts to the end, always including the active document's part. The context may lag behind the
/// editor there; the caller brings it up to date in the background (a sync to the exact plan).
/// Among the prompts within the bound it takes the one whose context lags least, then the longest,
/// then the cheapest. A document stands at most once as context: a kept copy of one the tail shows
/// again would only make the prompt longer, and typing after a switch would decode the file just
/// left anew on every keystroke, a copy more each time.
/// </summary>
public static class BoundedPrompt
{
    /// <param name="exact">The plan as the editor's documents are now.</param>
    /// <param name="held">The tokens the memory holds.</param>
    /// <param name="heldSegments">Where the documents lie in the prompt last synced to (the memory's layout).</param>
    /// <param name="keptAt">Tokens a sync keeps when the desired sequence departs from the memory after this many.</param>
    /// <param name="maxTokens">The most tokens the sync may decode.</param>
    /// <param name="budget">The most tokens a prompt may hold (the context minus the generation reserve).</param>
    public static PlanBuild Choose(
        PlanBuild exact, ReadOnlySpan<int> held, IReadOnlyList<PlannedSegment> heldSegments, Func<int, int> keptAt, int maxTokens, int budget)
    {
        ReadOnlySpan<int> e = exact.Tokens.Span;
        int n = e.Length;
        int active = ActiveStart(exact.Segments, n);
        int heldActive = ActiveStart(heldSegments, held.Length);
        int lcp = held.CommonPrefixLength(e);
        int[] copyEnd = HeldCopyEnds(exact.Segments, e, held, heldSegments, lcp);
        Dictionary<string, int> exactContextStarts = new(StringComparer.Ordinal);
        foreach (PlannedSegment s in exact.Segments.Where(s => !s.Active))
        {
            exactContextStarts.TryAdd(s.Uri, s.Start);
        }

        Candidate? best = null;
        foreach (int j in TailStarts(exact.Segments, n, active, maxTokens))
        {
            foreach (int k in KeptEnds(exact.Segments, heldSegments, held.Length, heldActive, lcp, active))
            {
                int length = k + n - j;
                if (length > budget || length == 0 || KeepsWhatTheTailRepeats(heldSegments, k, exactContextStarts, j))
                {
                    continue;
                }

                int common = k < held.Length ? k + held[k..].CommonPrefixLength(e[j..]) : k;
                int cost = length - Math.Min(keptAt(Math.Min(common, length - 1)), length - 1);
                int lcpExact = lcp < k ? lcp : k + e[j..].CommonPrefixLength(e[k..]);
                var c = new Candidate(k, j, length, cost, common, StaleTokens(exact.Segments, copyEnd, k, j, lcpExact));
                if (best is not { } b || c.BetterThan(b, maxTokens))
                {
                    best = c;
                }
            }
        }

        return best is { } chosen ? Build(exact, held, heldSegments, chosen) : exact;
    }

    /// <summary>What <paramref name="held"/> (laid out as <paramref name="heldSegments"/>) lacks of the exact plan.</summary>
    public static PromptLag LagOf(PlanBuild exact, ReadOnlySpan<int> held, IReadOnlyList<PlannedSegment> heldSegments)
    {
        ReadOnlySpan<int> e = exact.Tokens.Span;
        int lcp = held.CommonPrefixLength(e);
        int tokens = 0;
        List<string> uris = [];
        foreach (PlannedSegment s in exact.Segments)
        {
            if (s.Start + s.Length <= lcp || HeldCopyEnd(s, e, held, heldSegments) is not null)
            {
                continue;
            }

            uris.Add(s.Uri);
            tokens += s.Length;
        }

        return uris.Count == 0 ? PromptLag.None : new PromptLag(uris.Count, tokens, uris);
    }

    private readonly record struct Candidate(int Kept, int TailStart, int Length, int Cost, int Common, int Stale)
    {
        public bool BetterThan(Candidate other, int max)
        {
            bool fits = Cost <= max, otherFits = other.Cost <= max;
            if (fits != otherFits)
            {
                return fits;
            }

            if (!fits)
            {
                return Cost < other.Cost;
            }

            return Stale != other.Stale ? Stale < other.Stale
                : Length != other.Length ? Length > other.Length
                : Cost < other.Cost;
        }
    }

    /// <summary>Whether the memory's first <paramref name="kept"/> tokens hold a document the exact tail from <paramref name="tailStart"/> shows as context too.</summary>
    private static bool KeepsWhatTheTailRepeats(
        IReadOnlyList<PlannedSegment> heldSegments, int kept, Dictionary<string, int> exactContextStarts, int tailStart)
    {
        foreach (PlannedSegment h in heldSegments)
        {
            if (!h.Active && h.Start + h.Length <= kept && exactContextStarts.TryGetValue(h.Uri, out int start) && start >= tailStart)
            {
                return true;
            }
        }

        return false;
    }

    private static int ActiveStart(IReadOnlyList<PlannedSegment> segments, int fallback)
    {
        for (int i = segments.Count - 1; i >= 0; i--)
        {
            if (segments[i].Active)
            {
                return segments[i].Start;
            }
        }

        return fallback;
    }

    /// <summary>Where the exact tail may start: the active part, or an earlier segment start while the tail alone fits the bound.</summary>
    private static IEnumerable<int> TailStarts(IReadOnlyList<PlannedSegment> segments, int n, int active, int max)
    {
        yield return active;
        foreach (PlannedSegment s in segments)
        {
            if (!s.Active && s.Start < active && n - s.Start <= max)
            {
                yield return s.Start;
            }
        }
    }

    /// <summary>
    /// Where the kept part of the memory may end: a document boundary of the memory's context, a
    /// boundary of the exact plan inside the common prefix, or the common prefix itself (a refresh
    /// stopped there), never inside an active part.
    /// </summary>
    private static SortedSet<int> KeptEnds(
        IReadOnlyList<PlannedSegment> exactSegments, IReadOnlyList<PlannedSegment> heldSegments, int heldLength, int heldActive, int lcp, int active)
    {
        var ends = new SortedSet<int> { 0 };
        foreach (PlannedSegment h in heldSegments)
        {
            Add(h.Start);
            if (!h.Active)
            {
                Add(h.Start + h.Length);
            }
        }

        int exactLimit = Math.Min(lcp, active);
        foreach (PlannedSegment s in exactSegments)
        {
            if (s.Start <= exactLimit)
            {
                ends.Add(s.Start);
            }
        }

        ends.Add(exactLimit);
        return ends;

        void Add(int k)
        {
            if (k <= heldLength && k <= heldActive)
            {
                ends.Add(k);
            }
        }
    }

    /// <summary>For each exact segment, where an identical copy ends in the memory (int.MaxValue: none).</summary>
    private static int[] HeldCopyEnds(
        IReadOnlyList<PlannedSegment> segments, ReadOnlySpan<int> e, ReadOnlySpan<int> held, IReadOnlyList<PlannedSegment> heldSegments, int lcp)
    {
        int[] ends = new int[segments.Count];
        for (int i = 0; i < segments.Count; i++)
        {
            PlannedSegment s = segments[i];
            int end = s.Start + s.Length <= lcp ? s.Start + s.Length : int.MaxValue;
            ends[i] = Math.Min(end, HeldCopyEnd(s, e, held, heldSegments) ?? int.MaxValue);
        }

        return ends;
    }

    private static int? HeldCopyEnd(PlannedSegment s, ReadOnlySpan<int> e, ReadOnlySpan<int> held, IReadOnlyList<PlannedSegment> heldSegments)
    {
        ReadOnlySpan<int> wanted = e.Slice(s.Start, s.Length);
        foreach (PlannedSegment h in heldSegments)
        {
            if (h.Active == s.Active && h.Length == s.Length && h.Start + h.Length <= held.Length
                && string.Equals(h.Uri, s.Uri, StringComparison.Ordinal) && held.Slice(h.Start, h.Length).SequenceEqual(wanted))
            {
                return h.Start + h.Length;
            }
        }

        return null;
    }

    private static int StaleTokens(IReadOnlyList<PlannedSegment> segments, int[] copyEnd, int kept, int tailStart, int lcpExact)
    {
        int stale = 0;
        for (int i = 0; i < segments.Count; i++)
        {
            PlannedSegment s = segments[i];
            bool exact = copyEnd[i] <= kept || s.Start >= tailStart || s.Start + s.Length <= lcpExact;
            stale += exact ? 0 : s.Length;
        }

        return stale;
    }

    private static PlanBuild Build(PlanBuild exact, ReadOnlySpan<int> held, IReadOnlyList<PlannedSegment> heldSegments, Candidate c)
    {
        ReadOnlySpan<int> e = exact.Tokens.Span;
        int[] tokens = new int[c.Length];
        held[..c.Kept].CopyTo(tokens);
        e[c.TailStart..].CopyTo(tokens.AsSpan(c.Kept));
        int shift = c.Kept - c.TailStart;

        List<PlannedSegment> segments = [.. heldSegments.Where(h => !h.Active && h.Start + h.Length <= c.Kept)];
        segments.AddRange(exact.Segments.Where(s => s.Start >= c.TailStart).Select(s => s with { Start = s.Start + shift }));

        // The kept part's document starts, then the tail's: the last is the active part's, as the policy expects.
        var starts = new SortedSet<int>(heldSegments.Where(h => h.Start < c.Kept).Select(h => h.Start));
        if (c.Kept > 0)
        {
            starts.Add(0);
        }

        starts.UnionWith(exact.Hints.SegmentStarts.Where(p => p >= c.TailStart).Select(p => p + shift));
        SyncHints h = exact.Hints;
        var hints = new SyncHints([.. starts], Shift(h.CursorLineStart), Shift(h.PrefixEnd), Shift(h.SuffixStart));
        return new PlanBuild(tokens, c.Common, hints, segments, exact.Evicted);

        int Shift(int p) => p < 0 ? p : p + shift;
    }
}
