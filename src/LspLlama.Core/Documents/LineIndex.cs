namespace LspLlama.Core.Documents;

/// <summary>
/// The start offset of every line, kept in step with a <see cref="GapText"/>.
/// Line terminators are LF, CRLF and a lone CR, as LSP defines them.
/// </summary>
/// <remarks>
/// The starts live in a gap array: entries before the gap hold absolute offsets, entries after it
/// hold their distance from the end of the text. An edit then touches only the lines it covers
/// (plus a gap move), because the lines after it keep their distance from the end.
/// </remarks>
public sealed class LineIndex
{
    private int[] _starts;
    private int _gapStart;
    private int _gapEnd;
    private int _textLength;

    public LineIndex(GapText text)
    {
        _starts = new int[16];
        _gapStart = 0;
        _gapEnd = _starts.Length;
        _textLength = text.Length;
        Insert(0);
        for (int q = 1; q <= text.Length; q++)
        {
            if (IsLineStart(text, q))
            {
                Insert(q);
            }
        }
    }

    public int Count => _starts.Length - (_gapEnd - _gapStart);

    /// <summary>The offset of the first char of <paramref name="line"/>.</summary>
    public int this[int line] => line < _gapStart ? _starts[line] : _textLength - _starts[line + (_gapEnd - _gapStart)];

    /// <summary>The line that holds <paramref name="offset"/> (an offset between CR and LF belongs to the CR's line).</summary>
    public int LineOf(int offset)
    {
        int lo = 0;
        int hi = Count - 1;
        while (lo < hi)
        {
            int mid = lo + ((hi - lo + 1) / 2);
            if (this[mid] <= offset)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return lo;
    }

    /// <summary>
    /// Updates the index after <paramref name="text"/> had <paramref name="removedLength"/> chars at
    /// <paramref name="start"/> replaced by <paramref name="insertedLength"/> chars.
    /// </summary>
    public void Update(GapText text, int start, int removedLength, int insertedLength)
    {
        // A line start q depends on the chars at q-1 and q, so the starts in [start, start+removed]
        // may change; every start after that keeps its distance from the end of the text.
        int first = Math.Max(start, 1);
        int oldEnd = start + removedLength;
        int from = FirstAtOrAfter(first);
        int to = FirstAtOrAfter(oldEnd + 1);
        MoveGapTo(from);
        _gapEnd += to - from;

        _textLength = text.Length;
        int newEnd = start + insertedLength;
        for (int q = first; q <= newEnd; q++)
        {
            if (IsLineStart(text, q))
            {
                Insert(q);
            }
        }
    }

    private static bool IsLineStart(GapText text, int q)
    {
        if (q < 1 || q > text.Length)
        {
            return false;
        }

        char before = text[q - 1];
        return before == '\n' || (before == '\r' && (q == text.Length || text[q] != '\n'));
    }

    /// <summary>The first line whose start is at or after <paramref name="offset"/> (Count if none).</summary>
    private int FirstAtOrAfter(int offset)
    {
        int lo = 0;
        int hi = Count;
        while (lo < hi)
        {
            int mid = lo + ((hi - lo) / 2);
            if (this[mid] < offset)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private void Insert(int absoluteStart)
    {
        if (_gapStart == _gapEnd)
        {
            Grow();
        }

        _starts[_gapStart++] = absoluteStart;
    }

    private void MoveGapTo(int index)
    {
        // Entries change representation as they cross the gap: absolute before it, end-relative after it.
        while (_gapStart > index)
        {
            _gapStart--;
            _gapEnd--;
            _starts[_gapEnd] = _textLength - _starts[_gapStart];
        }

        while (_gapStart < index)
        {
            _starts[_gapStart] = _textLength - _starts[_gapEnd];
            _gapStart++;
            _gapEnd++;
        }
    }

    private void Grow()
    {
        int[] grown = new int[Math.Max(16, _starts.Length * 2)];
        int after = _starts.Length - _gapEnd;
        Array.Copy(_starts, 0, grown, 0, _gapStart);
        Array.Copy(_starts, _gapEnd, grown, grown.Length - after, after);
        _gapEnd = grown.Length - after;
        _starts = grown;
    }
}
