namespace LspLlama.Core.Context;

/// <summary>
/// Large documents: tokens for a slice of the text around the cursor, not for all of it. The plan
/// can put at most its budget's tokens of a document in the prompt, so tokenizing a 20 MB minified
/// bundle whole (half a minute, a gigabyte of token arrays, on the one inference thread) buys
/// nothing: a slice of a few times the budget in chars holds every token the plan could use.
/// </summary>
/// <remarks>
/// A slice starts and ends at a separator as an edit's window does (a line break, or on a long line
/// a pre-token start: <see cref="LongLines"/>), so its first and last tokens are the ones the text
/// would have there. It moves when the cursor comes within a quarter of a slice of an edge the
/// text goes on past (<see cref="Focus"/>), or when an edit crosses an edge: one tokenization of a
/// slice, as rare as a jump, and the plan sees it as a change from the first token that differs.
/// Whole and sliced switch with hysteresis (sliced past 2 slices of text, whole again at 1.5) so a
/// document at the limit does not re-tokenize on every keystroke.
/// </remarks>
public sealed partial class SegmentTokens
{
    /// <summary>Chars of a slice (0: never sliced).</summary>
    private readonly int _sliceChars;

    /// <summary>
    /// Brings the slice to the cursor when it came near an edge, or back to the whole text when the
    /// document became small enough. Returns whether the tokens changed.
    /// </summary>
    public bool Focus(int cursor)
    {
        if (_sliceChars == 0)
        {
            return false;
        }

        cursor = Math.Clamp(cursor, 0, _text.Length);
        bool wasWhole = !IsSliced;
        if (WantsWhole(wasWhole))
        {
            if (wasWhole)
            {
                return false;
            }

            Version++;
            Reslice((0, _text.Length));
            return true;
        }

        int margin = _sliceChars / 4;
        int end = SliceEnd;
        bool keep = !wasWhole
            && _sliceLength <= 2 * _sliceChars
            && cursor >= _sliceStart && cursor <= end
            && (_sliceStart == 0 || cursor - _sliceStart >= margin)
            && (end == _text.Length || end - cursor >= margin);
        if (keep)
        {
            return false;
        }

        Version++;
        Reslice(SliceAround(cursor));
        return true;
    }

    /// <summary>The whole text gets tokens: never sliced, or short enough (the limit depends on which it is now).</summary>
    private bool WantsWhole(bool whole = true) =>
        _sliceChars == 0 || _text.Length <= (whole ? 2L * _sliceChars : 3L * _sliceChars / 2);

    /// <summary>About <see cref="_sliceChars"/> centred on <paramref name="around"/>, each end moved out to a separator.</summary>
    private (int Start, int End) SliceAround(int around)
    {
        ReadOnlySpan<char> text = _text.Span;
        int half = _sliceChars / 2;
        int start = around - half <= 0 ? 0 : SliceStartAt(text, around - half);
        int end = around + half >= text.Length ? text.Length : SliceEndAt(text, around + half);
        return (start, end);
    }

    /// <summary>The start of the line holding <paramref name="c"/> when it is in reach, else a pre-token start before it.</summary>
    private static int SliceStartAt(ReadOnlySpan<char> text, int c)
    {
        int br = LongLines.PreviousBreak(text, c);
        if (br >= 0)
        {
            return text[br] == '\n' ? br + 1 : br;
        }

        if (c <= LongLines.Reach)
        {
            return 0;
        }

        return char.IsLowSurrogate(text[c]) ? c - 1 : c;
    }

    /// <summary>Past the line break after <paramref name="c"/> when it is in reach, else at a pre-token start after it.</summary>
    private static int SliceEndAt(ReadOnlySpan<char> text, int c)
    {
        int br = LongLines.NextBreak(text, c);
        if (br >= 0)
        {
            return text[br] == '\n' ? br + 1 : br;
        }

        if (c + LongLines.Reach >= text.Length)
        {
            return text.Length;
        }

        return char.IsLowSurrogate(text[c]) ? c - 1 : c;
    }

    /// <summary>Tokenizes the text from <paramref name="slice"/>'s start to its end as the new slice; returns the first token that differs.</summary>
    private int Reslice((int Start, int End) slice)
    {
        string text = _text.Substring(slice.Start, slice.End - slice.Start);
        int[] ids = _tokenizer.Tokenize(text);
        TokenizedChars += text.Length;
        int first = 0;
        int common = Math.Min(ids.Length, Count);
        while (first < common && ids[first] == _ids[first])
        {
            first++;
        }

        EnsureCapacity(ids.Length);
        (int bytes, _) = Spans(text, ids, 0, 0, _byteStart, _charStart, _midChar);
        ids.CopyTo(_ids, 0);
        Count = ids.Length;
        ByteLength = bytes;
        (_sliceStart, _sliceLength) = (slice.Start, slice.End - slice.Start);
        return first;
    }
}
