namespace LspLlama.Core.Documents;

/// <summary>
/// UTF-16 text in a gap buffer. Edits move the gap to the edit point, so a run of edits near the
/// cursor costs the size of the edits, not the size of the document (a 20 MB file stays cheap).
/// </summary>
public sealed class GapText
{
    private const int MinimumGap = 256;

    private char[] _buffer;
    private int _gapStart;
    private int _gapEnd;

    public GapText(string text)
    {
        _buffer = new char[text.Length + MinimumGap];
        text.CopyTo(_buffer);
        _gapStart = text.Length;
        _gapEnd = _buffer.Length;
    }

    public int Length => _buffer.Length - (_gapEnd - _gapStart);

    public char this[int index] => index < _gapStart ? _buffer[index] : _buffer[index + (_gapEnd - _gapStart)];

    /// <summary>Replaces <paramref name="removeLength"/> chars at <paramref name="start"/> with <paramref name="insert"/>.</summary>
    public void Replace(int start, int removeLength, ReadOnlySpan<char> insert)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(removeLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start + removeLength, Length);

        MoveGapTo(start);
        _gapEnd += removeLength;
        EnsureGap(insert.Length);
        insert.CopyTo(_buffer.AsSpan(_gapStart));
        _gapStart += insert.Length;
    }

    /// <summary>Replaces single chars in place (same length), used to repair lone surrogates.</summary>
    public void SetChar(int index, char value)
    {
        if (index < _gapStart)
        {
            _buffer[index] = value;
        }
        else
        {
            _buffer[index + (_gapEnd - _gapStart)] = value;
        }
    }

    public void CopyTo(int start, Span<char> destination)
    {
        int length = destination.Length;
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start + length, Length);

        int before = Math.Clamp(_gapStart - start, 0, length);
        _buffer.AsSpan(start, before).CopyTo(destination);
        if (before < length)
        {
            _buffer.AsSpan(start + before + (_gapEnd - _gapStart), length - before).CopyTo(destination[before..]);
        }
    }

    public string GetText(int start, int length) =>
        string.Create(length, (this, start), static (span, state) => state.Item1.CopyTo(state.start, span));

    public override string ToString() => GetText(0, Length);

    /// <summary>
    /// The text before and after <paramref name="offset"/> as two spans, valid until the next edit:
    /// the gap moves there first (where the next keystroke will edit anyway), so nothing is copied.
    /// </summary>
    public (ReadOnlyMemory<char> Before, ReadOnlyMemory<char> After) SplitAt(int offset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(offset, Length);
        MoveGapTo(offset);
        return (_buffer.AsMemory(0, _gapStart), _buffer.AsMemory(_gapEnd));
    }

    private void MoveGapTo(int position)
    {
        int gap = _gapEnd - _gapStart;
        if (position < _gapStart)
        {
            int count = _gapStart - position;
            Array.Copy(_buffer, position, _buffer, _gapEnd - count, count);
        }
        else if (position > _gapStart)
        {
            int count = position - _gapStart;
            Array.Copy(_buffer, _gapEnd, _buffer, _gapStart, count);
        }

        _gapStart = position;
        _gapEnd = position + gap;
    }

    private void EnsureGap(int needed)
    {
        if (_gapEnd - _gapStart >= needed)
        {
            return;
        }

        // Grow geometrically so that many inserts cost amortised O(1) per char.
        int length = Length;
        int capacity = Math.Max(length + needed + MinimumGap, (int)Math.Min(Array.MaxLength, (long)_buffer.Length * 3 / 2));
        char[] grown = new char[capacity];
        int after = _buffer.Length - _gapEnd;
        Array.Copy(_buffer, 0, grown, 0, _gapStart);
        Array.Copy(_buffer, _gapEnd, grown, capacity - after, after);
        _buffer = grown;
        _gapEnd = capacity - after;
    }
}
