namespace LspLlama.Core.Completion;

/// <summary>Where generated text ends by rule: keep its first <see cref="Length"/> chars.</summary>
internal readonly record struct StopPoint(int Length, StopReason Reason);

/// <summary>
/// The text-level stop rules, checked on the generated text after every token (so a rule can cut
/// in the middle of a token).
/// <list type="bullet">
/// <item>Mid-line cursor (see <see cref="CursorLine.IsMidLine"/>): the suggestion ends at the first line break.</item>
/// <item>Indentation: let B be the indentation of the cursor's line as completed by the first
/// generated line. A later line indented less than B ends the suggestion before that line.
/// Blank lines never stop it. Once a line at indentation B ends with an opener (<c>{ ( [ :</c>,
/// also the cursor's line itself), the block is "open": the next line back at B ends it. If that
/// line starts with a closer (<c>}</c>, <c>)</c>, <c>]</c>) it is kept as the block's end (C#
/// braces), unless it opens again (<c>} else {</c>, which continues the block); a continuation keyword (<c>else</c>,
/// <c>elif</c>, <c>except</c>, <c>finally</c>, <c>catch</c>) or a lone opener (Allman <c>{</c>)
/// continues the block; any other line at B (a sibling after a Python block) is cut.</item>
/// </list>
/// A closing brace the document already has is removed afterwards by the next-lines check of
/// <see cref="SuggestionCleanup"/>.
/// </summary>
internal static class StopRules
{
    private static readonly string[] s_continuationKeywords = ["else", "elif", "except", "finally", "catch"];

    /// <summary>
    /// Finds where <paramref name="text"/> must end, or null if generation may go on.
    /// <paramref name="ended"/> says the generation is over, so its last line is complete.
    /// </summary>
    public static StopPoint? Find(string text, CursorLine cursor, int tabSize, bool ended)
    {
        int firstBreak = text.IndexOf('\n');
        if (firstBreak < 0)
        {
            return null;
        }

        if (cursor.IsMidLine)
        {
            return new StopPoint(LineContentEnd(text, firstBreak), StopReason.SingleLine);
        }

        string cursorLine = cursor.Before + text[..LineContentEnd(text, firstBreak)];
        int block = CursorLine.IndentWidth(cursorLine, tabSize);
        bool open = EndsWithOpener(cursorLine);

        int lineStart = firstBreak + 1;
        while (true)
        {
            int lineBreak = text.IndexOf('\n', lineStart);
            bool complete = lineBreak >= 0 || ended;
            int lineEnd = lineBreak >= 0 ? LineContentEnd(text, lineBreak) : text.Length;
            ReadOnlySpan<char> line = text.AsSpan(lineStart, lineEnd - lineStart);
            ReadOnlySpan<char> content = line.Trim();

            // A blank line (or one whose indentation is still being generated) decides nothing.
            if (!content.IsEmpty)
            {
                int indent = CursorLine.IndentWidth(line, tabSize);
                var before = new StopPoint(LineContentEnd(text, lineStart - 1), StopReason.IndentationReturn);
                if (indent < block)
                {
                    return before;
                }

                if (indent == block && complete)
                {
                    if (open)
                    {
                        bool closes = IsCloser(content[0]);
                        if ((closes && EndsWithOpener(content)) || IsLoneOpener(content) || StartsWithContinuationKeyword(content))
                        {
                            // `} else {`, `else:`, Allman `{`: the same construct goes on.
                        }
                        else if (closes)
                        {
                            return lineBreak >= 0 ? new StopPoint(lineEnd, StopReason.IndentationReturn) : null;
                        }
                        else
                        {
                            return before;
                        }
                    }
                    else if (EndsWithOpener(content))
                    {
                        open = true;
                    }
                }
            }

            if (lineBreak < 0)
            {
                return null;
            }

            lineStart = lineBreak + 1;
        }
    }

    /// <summary>End of the line content before the line break at <paramref name="lineBreak"/> (drops a CR of CRLF).</summary>
    private static int LineContentEnd(string text, int lineBreak) =>
        lineBreak > 0 && text[lineBreak - 1] == '\r' ? lineBreak - 1 : lineBreak;

    private static bool EndsWithOpener(ReadOnlySpan<char> line)
    {
        ReadOnlySpan<char> trimmed = line.TrimEnd();
        return !trimmed.IsEmpty && trimmed[^1] is '{' or '(' or '[' or ':';
    }

    private static bool IsCloser(char c) => c is '}' or ')' or ']';

    private static bool IsLoneOpener(ReadOnlySpan<char> content) => content.Length == 1 && content[0] is '{' or '(' or '[';

    private static bool StartsWithContinuationKeyword(ReadOnlySpan<char> content)
    {
        foreach (string keyword in s_continuationKeywords)
        {
            if (content.StartsWith(keyword, StringComparison.Ordinal)
                && (content.Length == keyword.Length || !IsWordChar(content[keyword.Length])))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c == '_';
}
