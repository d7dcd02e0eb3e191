using System.Text;

namespace LspLlama.Core.Bench;

/// <summary>
/// The plain text of one document as a trace sees it, with LSP position math. The generator edits
/// it to know where its positions land, and <see cref="TracePlayback"/> uses it to prove that every
/// position in a trace is valid. It is deliberately simple (a string and a line index rebuilt on
/// demand): it is the reference a trace is checked against, not the server's document store.
/// </summary>
public sealed class TraceText
{
    private readonly bool _utf8;
    private string _text;
    private List<int>? _lineStarts;

    public TraceText(string text, string positionEncoding = TraceHeader.Utf16)
    {
        _text = text;
        _utf8 = positionEncoding == TraceHeader.Utf8;
    }

    public string Text => _text;

    public int LineCount => LineStarts.Count;

    private List<int> LineStarts => _lineStarts ??= ComputeLineStarts(_text);

    /// <summary>The line's text without its line break.</summary>
    public string Line(int line)
    {
        (int start, int end) = LineBounds(line);
        return _text[start..end];
    }

    /// <summary>The position of the end of the document.</summary>
    public TracePosition End => new(LineCount - 1, Measure(Line(LineCount - 1)));

    /// <summary>
    /// The UTF-16 offset of a position, or an explanation of why the position is not valid: past the
    /// end of its line, inside a surrogate pair or a UTF-8 sequence, or on a line that does not exist.
    /// </summary>
    public bool TryOffset(TracePosition p, out int offset, out string? error)
    {
        offset = -1;
        if (p.Line < 0 || p.Line >= LineCount)
        {
            error = $"line {p.Line} is outside the document ({LineCount} lines)";
            return false;
        }

        (int start, int end) = LineBounds(p.Line);
        if (p.Character < 0)
        {
            error = $"character {p.Character} is negative";
            return false;
        }

        int units = 0;
        int i = start;
        while (units < p.Character && i < end)
        {
            int width = char.IsHighSurrogate(_text[i]) && i + 1 < end && char.IsLowSurrogate(_text[i + 1]) ? 2 : 1;
            units += _utf8 ? Utf8Length(_text, i, width) : width;
            i += width;
        }

        if (units != p.Character)
        {
            error = units < p.Character
                ? $"character {p.Character} is past the end of line {p.Line} ({units})"
                : $"character {p.Character} splits a character on line {p.Line}";
            return false;
        }

        offset = i;
        error = null;
        return true;
    }

    public int Offset(TracePosition p) =>
        TryOffset(p, out int offset, out string? error) ? offset : throw new ArgumentOutOfRangeException(nameof(p), error);

    /// <summary>The position of a UTF-16 offset (which must not split a surrogate pair).</summary>
    public TracePosition PositionOf(int offset)
    {
        List<int> starts = LineStarts;
        int line = starts.BinarySearch(offset);
        if (line < 0)
        {
            line = ~line - 1;
        }

        (int start, int end) = LineBounds(line);
        if (offset > end)
        {
            // Inside a line break: the position is the end of that line.
            offset = end;
        }

        return new TracePosition(line, Measure(_text[start..offset]));
    }

    /// <summary>Applies one change; throws <see cref="ArgumentException"/> when its range is invalid.</summary>
    public void Apply(TraceChange change)
    {
        if (change.Range is not TraceRange r)
        {
            Replace(0, _text.Length, change.Text);
            return;
        }

        if (!TryOffset(r.Start, out int start, out string? error) || !TryOffset(r.End, out int end, out error))
        {
            throw new ArgumentException($"range {r}: {error}", nameof(change));
        }

        if (end < start)
        {
            throw new ArgumentException($"range {r} ends before it starts", nameof(change));
        }

        Replace(start, end, change.Text);
    }

    /// <summary>Replaces a UTF-16 span; used by the generator, which works in offsets.</summary>
    public void Replace(int start, int end, string text)
    {
        _text = string.Concat(_text.AsSpan(0, start), text, _text.AsSpan(end));
        _lineStarts = null;
    }

    /// <summary>Length of a string in the trace's position units.</summary>
    public int Measure(string s) => _utf8 ? Encoding.UTF8.GetByteCount(s) : s.Length;

    private (int Start, int End) LineBounds(int line)
    {
        List<int> starts = LineStarts;
        int start = starts[line];
        int end = line + 1 < starts.Count ? starts[line + 1] : _text.Length;

        // Strip the line break: \n, \r\n or a lone \r, as LSP defines them.
        if (end > start && _text[end - 1] == '\n')
        {
            end--;
        }

        if (end > start && _text[end - 1] == '\r')
        {
            end--;
        }

        return (start, end);
    }

    private static int Utf8Length(string s, int index, int width) =>
        width == 2 ? 4 : s[index] < 0x80 ? 1 : s[index] < 0x800 ? 2 : 3;

    private static List<int> ComputeLineStarts(string text)
    {
        List<int> starts = [0];
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '\n' || (c == '\r' && (i + 1 >= text.Length || text[i + 1] != '\n')))
            {
                starts.Add(i + 1);
            }
        }

        return starts;
    }
}
