namespace LspLlama.Core.Completion;

/// <summary>
/// The cursor's line split at the cursor, and the lines after it: what the stop rules and the
/// post-processing look at.
/// </summary>
public sealed class CursorLine
{
    /// <summary>How many following lines are kept; repetition checks only need the first few.</summary>
    public const int NextLineLimit = 16;

    // Text right of the cursor made only of these (and whitespace) still counts as the end of the
    // line: editors auto-close brackets and quotes, and a statement's `;` or an argument's `,` often
    // follows the cursor. Anything else (a word, an operator, a dot) makes the cursor mid-line.
    private const string EndOfLineClosers = ")]}>\"'`;,:";

    private CursorLine(string before, string after, IReadOnlyList<string> nextLines)
    {
        Before = before;
        After = after;
        NextLines = nextLines;
        IsMidLine = after.AsSpan().IndexOfAnyExcept(" \t" + EndOfLineClosers) >= 0;
    }

    /// <summary>The cursor's line up to the cursor.</summary>
    public string Before { get; }

    /// <summary>The cursor's line after the cursor, without the line break.</summary>
    public string After { get; }

    /// <summary>The lines after the cursor's line (at most <see cref="NextLineLimit"/>), without line breaks.</summary>
    public IReadOnlyList<string> NextLines { get; }

    /// <summary>
    /// True when there is text right of the cursor beyond closing brackets, quotes, <c>;</c>,
    /// <c>,</c>, <c>:</c> and whitespace; the suggestion is then a single line.
    /// </summary>
    public bool IsMidLine { get; }

    /// <summary>The first following line that is not blank, or null.</summary>
    public string? NextNonBlankLine => NextLines.FirstOrDefault(line => !string.IsNullOrWhiteSpace(line));

    public static CursorLine From(string prefix, string suffix)
    {
        string before = prefix[(prefix.LastIndexOf('\n') + 1)..];
        int afterEnd = suffix.IndexOf('\n');
        string after = afterEnd < 0 ? suffix : suffix[..afterEnd];
        var nextLines = new List<string>();
        while (afterEnd >= 0 && nextLines.Count < NextLineLimit)
        {
            int start = afterEnd + 1;
            afterEnd = suffix.IndexOf('\n', start);
            nextLines.Add(WithoutCarriageReturn(afterEnd < 0 ? suffix[start..] : suffix[start..afterEnd]));
        }

        return new CursorLine(WithoutCarriageReturn(before), WithoutCarriageReturn(after), nextLines);
    }

    /// <summary>Width of the leading whitespace of <paramref name="line"/> in columns (a tab reaches the next tab stop).</summary>
    public static int IndentWidth(ReadOnlySpan<char> line, int tabSize)
    {
        int width = 0;
        foreach (char c in line)
        {
            if (c == ' ')
            {
                width++;
            }
            else if (c == '\t')
            {
                width += tabSize - (width % tabSize);
            }
            else
            {
                break;
            }
        }

        return width;
    }

    private static string WithoutCarriageReturn(string line) => line.EndsWith('\r') ? line[..^1] : line;
}
