namespace LspLlama.Core.Completion;

/// <summary>Where generated text ends by rule: keep its first <see cref="Length"/> chars.</summary>
public readonly record struct StopPoint(int Length, StopReason Reason);

/// <summary>
/// The text-level stop rules, checked on the generated text after every token (so a rule can cut
/// in the middle of a token).
/// <list type="bullet">
/// <item>Mid-line cursor (see <see cref="CursorLine.IsMidLine"/>): the suggestion ends at the first line break.</item>
/// <item>Indentation. Let B be the indentation of the cursor's line as completed by the first
/// generated line. Blank lines never decide anything. A later line indented less than B ends the
/// suggestion before that line (the enclosing block's <c>}</c> or the next Python definition).
/// Lines at B are siblings and go on, except when the cursor's line opened a block (it ends with
/// <c>{ ( [ :</c>, or the next line is a lone Allman <c>{</c>): then the first line back at B
/// ends that block. A closer (<c>}</c>, <c>});</c>) is kept as the block's end, and the suggestion
/// stops after it unless the next line continues the construct (<c>else</c>, <c>catch</c>, …);
/// a closer that opens again (<c>} else {</c>), a continuation keyword (<c>else:</c>,
/// <c>except E:</c>) or a lone opener goes on; anything else (the sibling after a Python block)
/// is cut.</item>
/// <item>Repetition: a third identical line in a row (blank lines between do not count) means
/// the model is looping; the suggestion keeps the first.</item>
/// </list>
/// A closing brace the document already has is removed afterwards by the next-lines check of
/// <see cref="SuggestionCleanup"/>.
/// </summary>
public static class StopRules
{
    private static readonly string[] s_continuationKeywords = ["else", "elif", "except", "finally", "catch"];

    private enum Continuation
    {
        No,
        Yes,
        Undecided,
    }

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
        bool firstLine = true;
        int? closedAt = null;
        string previous = cursorLine;
        int? repeatedFrom = null;

        for (int lineStart = firstBreak + 1; ; )
        {
            int lineBreak = text.IndexOf('\n', lineStart);
            bool complete = lineBreak >= 0 || ended;
            int lineEnd = lineBreak >= 0 ? LineContentEnd(text, lineBreak) : text.Length;
            ReadOnlySpan<char> line = text.AsSpan(lineStart, lineEnd - lineStart);
            ReadOnlySpan<char> content = line.Trim();
            if (!content.IsEmpty)
            {
                int indent = CursorLine.IndentWidth(line, tabSize);
                var before = new StopPoint(LineContentEnd(text, lineStart - 1), StopReason.IndentationReturn);
                if (complete)
                {
                    // A model stuck in a loop writes the same line again and again: at the third
                    // copy in a row, only the first is kept.
                    if (line.SequenceEqual(previous))
                    {
                        if (repeatedFrom is { } from)
                        {
                            return new StopPoint(from, StopReason.Repetition);
                        }

                        repeatedFrom = before.Length;
                    }
                    else
                    {
                        previous = line.ToString();
                        repeatedFrom = null;
                    }
                }

                if (closedAt is { } closed)
                {
                    // The line after a block's closer says whether the construct goes on.
                    Continuation next = indent == block ? ClassifyContinuation(content, complete) : Continuation.No;
                    if (next == Continuation.Undecided)
                    {
                        return null;
                    }

                    if (next == Continuation.No)
                    {
                        return new StopPoint(closed, StopReason.IndentationReturn);
                    }

                    closedAt = null;
                }

                if (indent < block)
                {
                    return before;
                }

                if (indent == block)
                {
                    if (!open)
                    {
                        open = complete && firstLine && IsLoneOpener(content);
                    }
                    else if (IsCloser(content[0]))
                    {
                        // `}` ends the block; `} else {` continues it. Decided once the line is whole.
                        if (complete && !EndsWithOpener(content))
                        {
                            if (lineBreak < 0)
                            {
                                return null;
                            }

                            closedAt = lineEnd;
                        }
                    }
                    else if (content[0] is '{' or '(' or '[')
                    {
                        if (complete && !IsLoneOpener(content))
                        {
                            return before;
                        }
                    }
                    else if (ClassifyContinuation(content, complete) == Continuation.No)
                    {
                        return before;
                    }
                }

                firstLine = false;
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

    /// <summary>
    /// Whether <paramref name="content"/> starts with a continuation keyword; undecided while an
    /// unfinished line could still become one (<c>el</c>, <c>else</c> before its next char).
    /// </summary>
    private static Continuation ClassifyContinuation(ReadOnlySpan<char> content, bool complete)
    {
        foreach (string keyword in s_continuationKeywords)
        {
            if (content.StartsWith(keyword, StringComparison.Ordinal))
            {
                if (content.Length > keyword.Length && !IsWordChar(content[keyword.Length]))
                {
                    return Continuation.Yes;
                }

                if (content.Length == keyword.Length)
                {
                    return complete ? Continuation.Yes : Continuation.Undecided;
                }
            }
            else if (!complete && keyword.AsSpan().StartsWith(content, StringComparison.Ordinal))
            {
                return Continuation.Undecided;
            }
        }

        return Continuation.No;
    }

    private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c == '_';
}
