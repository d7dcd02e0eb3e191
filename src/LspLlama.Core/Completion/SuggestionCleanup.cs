namespace LspLlama.Core.Completion;

/// <summary>
/// Post-processing of the text the stop rules kept, into the text to insert at the cursor:
/// <list type="number">
/// <item>Next lines: a generated line equal to the document's next non-blank line (ignoring
/// trailing whitespace) means the model is re-typing what follows; the suggestion ends before it.
/// If the cursor's line, completed by the first generated line, already equals that line, there is
/// no suggestion.</item>
/// <item>Whitespace: trailing whitespace and blank lines go; leading spaces go when the cursor
/// already follows a space on a non-blank line.</item>
/// <item>Rest of the line: if the suggestion ends with the start of the text right of the cursor
/// (<c>a, b)</c> before <c>)</c>), that end is dropped, unless dropping it unbalances the line's
/// brackets or quotes (<c>bar(x)</c> before <c>)</c> keeps its own parenthesis).</item>
/// <item>Empty or whitespace-only results become null: never an empty item.</item>
/// </list>
/// Every step is linear in the suggestion and the cursor's windows (<see cref="CursorLine.LineWindow"/>),
/// never in the document's line, and it runs under the generation's cancellation.
/// </summary>
public static class SuggestionCleanup
{
    // Each end of the suggestion that repeats the start of the rest of the line costs one bracket
    // count over the windows; a suggestion like `aaaa…` before `aaaa…` has one per char, so only
    // the longest few are weighed.
    private const int MaxRestOfLineCandidates = 16;

    public static string? Clean(string text, CursorLine cursor, CancellationToken cancellation = default)
    {
        cancellation.ThrowIfCancellationRequested();
        if (DropNextLinesRepetition(text, cursor) is not { } kept)
        {
            return null;
        }

        text = kept.TrimEnd();
        if (cursor.Before.AsSpan().Trim().Length > 0 && cursor.Before.EndsWith(' ') && !text.StartsWith('\n'))
        {
            text = text.TrimStart(' ', '\t');
        }

        text = DropRestOfLineRepetition(text, cursor, cancellation).TrimEnd();
        return string.IsNullOrWhiteSpace(text) ? null : text;
    }

    private static string? DropNextLinesRepetition(string text, CursorLine cursor)
    {
        string? next = cursor.NextNonBlankLine?.TrimEnd();
        if (next is null)
        {
            return text;
        }

        string[] lines = text.Split('\n');
        string cursorLine = (cursor.Before + lines[0]).TrimEnd('\r', ' ', '\t');
        if (string.IsNullOrWhiteSpace(cursor.After) && lines[0].Trim().Length > 0 && cursorLine == next)
        {
            return null;
        }

        for (int i = 1; i < lines.Length; i++)
        {
            if (lines[i].TrimEnd('\r', ' ', '\t') == next)
            {
                return string.Join('\n', lines, 0, i);
            }
        }

        return text;
    }

    private static string DropRestOfLineRepetition(string text, CursorLine cursor, CancellationToken cancellation)
    {
        string after = cursor.After.TrimEnd();
        int checkedCandidates = 0;
        int? mismatchesAsIs = null;
        foreach (int length in EndsRepeatingStart(text, after))
        {
            cancellation.ThrowIfCancellationRequested();
            string shorter = text[..^length];
            mismatchesAsIs ??= BracketBalance.Mismatches(cursor.Before + text + after);
            if (BracketBalance.Mismatches(cursor.Before + shorter + after) <= mismatchesAsIs)
            {
                return shorter;
            }

            if (++checkedCandidates == MaxRestOfLineCandidates)
            {
                break;
            }
        }

        return text;
    }

    /// <summary>
    /// The lengths k, longest first, for which <paramref name="text"/> ends with the first k chars
    /// of <paramref name="after"/>: the borders found by one Knuth–Morris–Pratt pass of the start of
    /// <paramref name="after"/> over the end of <paramref name="text"/>, linear in the shorter of them.
    /// </summary>
    internal static IEnumerable<int> EndsRepeatingStart(string text, string after)
    {
        int longest = Math.Min(text.Length, after.Length);
        if (longest == 0)
        {
            yield break;
        }

        int[] border = BorderTable(after.AsSpan(0, longest));
        int matched = 0;
        for (int i = text.Length - longest; i < text.Length; i++)
        {
            while (matched > 0 && (matched == longest || after[matched] != text[i]))
            {
                matched = border[matched - 1];
            }

            if (after[matched] == text[i])
            {
                matched++;
            }
        }

        for (; matched > 0; matched = border[matched - 1])
        {
            yield return matched;
        }
    }

    /// <summary>The prefix function: for each i, the longest proper prefix of pattern[..(i+1)] that is also its suffix.</summary>
    private static int[] BorderTable(ReadOnlySpan<char> pattern)
    {
        int[] border = new int[pattern.Length];
        for (int i = 1, k = 0; i < pattern.Length; i++)
        {
            while (k > 0 && pattern[i] != pattern[k])
            {
                k = border[k - 1];
            }

            if (pattern[i] == pattern[k])
            {
                k++;
            }

            border[i] = k;
        }

        return border;
    }
}
