namespace LspLlama.Core.Context;

/// <summary>
/// The re-tokenized window of an edit: how far it reaches on each side (a number of "line break,
/// then content" separators, widened per retry) and the checks that the tokens outside it stand.
/// </summary>
public sealed partial class SegmentTokens
{
    /// <summary>
    /// Picks the window start: the token at the start of a line that lies before 2^level separators
    /// ("line break, then content"; on a line longer than <see cref="LongLines.Reach"/>, a pre-token
    /// start) before the edit. Returns the token and the char offset up to
    /// which the window must reproduce the old tokens.
    /// </summary>
    private (int Token, int VerifyChar) LeftWindow(int start, int level)
    {
        if (level > MaxLevel || Count == 0)
        {
            return (0, 0);
        }

        ReadOnlySpan<char> text = SliceText;
        int p = start;
        int firstBreak = -1;
        for (int n = 0; n < 1 << level; n++)
        {
            // Back over to a non-space char, then back to the line break before it.
            int m = p - 1;
            while (m >= 0 && Utf8Walk.IsWhiteSpace(text[m]))
            {
                m--;
            }

            int br = m < 0 ? -1 : LongLines.PreviousBreak(text, m);
            if (br < 0)
            {
                return (0, 0);
            }

            if (firstBreak < 0)
            {
                firstBreak = br;
            }

            p = br;
        }

        int token = LocalBoundaryAtOrBefore(LongLines.WindowStart(text, p));
        return (token, firstBreak + 1);
    }

    /// <summary>
    /// Picks the window end: a few tokens past 2^level separators after the edit. Returns the old token
    /// index where the window ends (Count = end of text) and the new-text char offset from which new
    /// tokens may realign with old ones.
    /// </summary>
    private (int Token, int AlignChar) RightWindow(int editEndNew, int charDelta, int level)
    {
        if (level > MaxLevel)
        {
            return (Count, _sliceLength);
        }

        ReadOnlySpan<char> text = SliceText;
        int p = editEndNew;
        int alignChar = -1;
        for (int n = 0; n < 1 << level; n++)
        {
            int br = LongLines.NextBreak(text, p);
            if (br < 0)
            {
                return (Count, _sliceLength);
            }

            int m = br + 1;
            while (m < text.Length && Utf8Walk.IsWhiteSpace(text[m]))
            {
                m++;
            }

            if (m >= text.Length)
            {
                return (Count, _sliceLength);
            }

            if (alignChar < 0)
            {
                alignChar = br + 1;
            }

            p = m;
        }

        // Old coordinates: text after the edit only moved by charDelta.
        int oldAlign = alignChar - charDelta;
        int k = LocalTokenAtChar(oldAlign);
        int b = Math.Min(Count, k + RealignRun + TailMargin + 4 + (p - alignChar) / 4);
        while (b < Count && _midChar[b])
        {
            b++;
        }

        return (b, alignChar);
    }

    /// <summary>The window's tokens must reproduce the old tokens that end at or before <paramref name="verifyChar"/>.</summary>
    private bool LeftMatches(int a, int verifyChar, int[] ids, int[] nb)
    {
        int verifyByte = ByteStart(LocalBoundaryAtOrAfter(verifyChar));
        for (int k = a, j = 0; k < Count && ByteStart(k + 1) <= verifyByte; k++, j++)
        {
            if (j >= ids.Length || ids[j] != _ids[k] || nb[j] != _byteStart[k])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Finds the first new token (at or after <paramref name="alignChar"/>) that starts where an old token
    /// started, shifted by the edit, and agrees with the old tokens for a run. j and k are window-relative.
    /// </summary>
    private bool Realign(int a, int b, int alignChar, int byteDelta, int[] ids, int[] nb, int[] nc, bool[] nm, out int j, out int k)
    {
        int limit = ids.Length - TailMargin - RealignRun;
        int kk = a;
        for (j = 0; j <= limit; j++)
        {
            if (nc[j] < alignChar || nm[j])
            {
                continue;
            }

            int oldByte = nb[j] - byteDelta;
            while (kk < b && _byteStart[kk] < oldByte)
            {
                kk++;
            }

            if (kk >= b)
            {
                break;
            }

            if (_byteStart[kk] != oldByte)
            {
                continue;
            }

            bool run = true;
            for (int r = 0; r < RealignRun && run; r++)
            {
                run = kk + r < b && ids[j + r] == _ids[kk + r] && nb[j + r] - byteDelta == _byteStart[kk + r];
            }

            if (run)
            {
                k = kk - a;
                return true;
            }
        }

        (j, k) = (0, 0);
        return false;
    }
}
