namespace LspLlama.Core.Completion;

/// <summary>
/// The cursor's line split at the cursor, and the lines after it: what the stop rules and the
/// post-processing look at. Each part is a bounded window of the document (<see cref="LineWindow"/>
/// chars), so the rules cost the same on a 20 MB minified line as on a short one.
/// </summary>
public sealed class CursorLine
{
    /// <summary>How many following lines are kept; repetition checks only need the first few.</summary>
    public const int NextLineLimit = 16;

    /// <summary>
    /// The most chars kept of each side of the cursor's line and of each following line. A
    /// suggestion is far shorter, and the rules compare it only with the text next to the cursor.
    /// </summary>
    internal const int LineWindow = 2048;

    // Text right of the cursor made only of these (and whitespace) still counts as the end of the
    // line: editors auto-close brackets and quotes, and a statement's `;` or an argument's `,` often
    // follows the cursor. Anything else (a word, an operator, a dot) makes the cursor mid-line.
    private const string EndOfLineClosers = ")]}>\"'`;,:";

    private readonly string? _nextNonBlankLine;

    private CursorLine(string before, string after, bool afterCut, IReadOnlyList<string> nextLines, string? nextNonBlankLine)
    {
        Before = before;
        After = after;
        NextLines = nextLines;
        _nextNonBlankLine = nextNonBlankLine;
        IsMidLine = afterCut || after.AsSpan().IndexOfAnyExcept(" \t" + EndOfLineClosers) >= 0;
    }

    /// <summary>
    /// The cursor's line up to the cursor. A line longer than <see cref="LineWindow"/> keeps its
    /// indentation and the last <see cref="LineWindow"/> chars before the cursor.
    /// </summary>
    public string Before { get; }

    /// <summary>The cursor's line after the cursor, without the line break: at most its first <see cref="LineWindow"/> chars.</summary>
    public string After { get; }

    /// <summary>
    /// The lines after the cursor's line (at most <see cref="NextLineLimit"/>), without line breaks,
    /// each cut to its first <see cref="LineWindow"/> chars.
    /// </summary>
    public IReadOnlyList<string> NextLines { get; }

    /// <summary>
    /// True when there is text right of the cursor beyond closing brackets, quotes, <c>;</c>,
    /// <c>,</c>, <c>:</c> and whitespace; the suggestion is then a single line.
    /// </summary>
    public bool IsMidLine { get; }

    /// <summary>
    /// The first following line that is not blank, or null (also when that line was longer than
    /// the window: a cut line cannot be compared with a generated one).
    /// </summary>
    public string? NextNonBlankLine => _nextNonBlankLine;

    public static CursorLine From(ReadOnlySpan<char> prefix, ReadOnlySpan<char> suffix)
    {
        ReadOnlySpan<char> before = WithoutCarriageReturn(prefix[(prefix.LastIndexOf('\n') + 1)..]);
        ReadOnlySpan<char> rest = suffix;
        int afterEnd = rest.IndexOf('\n');
        ReadOnlySpan<char> after = WithoutCarriageReturn(afterEnd < 0 ? rest : rest[..afterEnd]);
        var nextLines = new List<string>();
        string? nextNonBlank = null;
        bool nextNonBlankFound = false;
        while (afterEnd >= 0 && nextLines.Count < NextLineLimit)
        {
            rest = rest[(afterEnd + 1)..];
            afterEnd = rest.IndexOf('\n');
            ReadOnlySpan<char> line = WithoutCarriageReturn(afterEnd < 0 ? rest : rest[..afterEnd]);
            string kept = line[..Math.Min(line.Length, LineWindow)].ToString();
            nextLines.Add(kept);
            if (!nextNonBlankFound && !line.IsWhiteSpace())
            {
                nextNonBlankFound = true;
                nextNonBlank = line.Length <= LineWindow ? kept : null;
            }
        }

        bool afterCut = after.Length > LineWindow;
        return new CursorLine(Window(before), after[..Math.Min(after.Length, LineWindow)].ToString(), afterCut, nextLines, nextNonBlank);
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

    /// <summary>
    /// The text before the cursor, or for a long line its indentation (what the indentation rule
    /// reads) followed by the last <see cref="LineWindow"/> chars (what the other rules read).
    /// </summary>
    private static string Window(ReadOnlySpan<char> before)
    {
        if (before.Length <= LineWindow)
        {
            return before.ToString();
        }

        int indent = before.IndexOfAnyExcept(' ', '\t');
        ReadOnlySpan<char> leading = before[..Math.Min(indent < 0 ? before.Length : indent, LineWindow)];
        return string.Concat(leading, before[^LineWindow..]);
    }

    private static ReadOnlySpan<char> WithoutCarriageReturn(ReadOnlySpan<char> line) =>
        line.EndsWith('\r') ? line[..^1] : line;
}
