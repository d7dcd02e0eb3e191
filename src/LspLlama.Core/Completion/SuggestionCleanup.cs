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
/// </summary>
public static class SuggestionCleanup
{
    public static string? Clean(string text, CursorLine cursor)
    {
        if (DropNextLinesRepetition(text, cursor) is not { } kept)
        {
            return null;
        }

        text = kept.TrimEnd();
        if (cursor.Before.AsSpan().Trim().Length > 0 && cursor.Before.EndsWith(' ') && !text.StartsWith('\n'))
        {
            text = text.TrimStart(' ', '\t');
        }

        text = DropRestOfLineRepetition(text, cursor).TrimEnd();
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

    private static string DropRestOfLineRepetition(string text, CursorLine cursor)
    {
        string after = cursor.After.TrimEnd();
        for (int length = after.Length; length > 0; length--)
        {
            string repeated = after[..length];
            if (!text.EndsWith(repeated, StringComparison.Ordinal))
            {
                continue;
            }

            string shorter = text[..^length];
            if (BracketBalance.Mismatches(cursor.Before + shorter + after) <= BracketBalance.Mismatches(cursor.Before + text + after))
            {
                return shorter;
            }
        }

        return text;
    }
}
