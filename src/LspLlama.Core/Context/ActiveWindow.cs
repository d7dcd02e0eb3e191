using LspLlama.Core.Context.Formats;
using LspLlama.Core.Tokens;

namespace LspLlama.Core.Context;

/// <summary>
/// The active document's part of the plan: prefix tokens are the document's own tokens from a stable
/// start up to the last token boundary before the cursor, plus the few chars from there to the cursor
/// tokenized on their own; the suffix window is tokenized on its own and cached, so typing (which
/// leaves the text after the cursor alone) never changes it.
/// </summary>
/// <param name="Count">Tokens of the whole active segment: header, markers, prefix and suffix.</param>
/// <param name="BodyStart">First document token of the prefix.</param>
/// <param name="BodyEnd">End (exclusive) of the document tokens in the prefix; the tail follows.</param>
/// <param name="CursorLineToken">Document token holding the start of the cursor's line (BodyEnd: it lies in the tail).</param>
/// <param name="TailAfterMiddle">The tail (the cursor's line up to the cursor, with the lines typed after the split) follows the middle marker, not the prefix.</param>
public sealed record ActiveLayout(int Count, int BodyStart, int BodyEnd, int[] Tail, ReadOnlyMemory<int> Suffix, int CursorLineToken, bool TailAfterMiddle);

public static class ActiveWindow
{
    public static ActiveLayout Compute(
        DocumentState doc, ITokenizer tokenizer, ContextSettings settings, PromptFormat format, int suffixLines, int available)
    {
        FimLayout layout = format.Layout;
        bool split = layout == FimLayout.Psm && settings.CursorLineInMiddle;
        SegmentTokens seg = doc.Tokens;
        ReadOnlySpan<char> text = seg.Text;
        int cursor = Math.Clamp(doc.Cursor, 0, text.Length);
        if (!Utf8Walk.IsBoundary(text, cursor))
        {
            cursor--;
        }

        int budget = Math.Max(0, Math.Min(available, (int)(available * PlanShares.Active)));
        if (settings.MaxActiveTokens > 0)
        {
            budget = Math.Min(budget, settings.MaxActiveTokens);
        }

        int fixedCount = doc.Headers.ActiveLength + format.MarkerCount(split);
        if (fixedCount > budget)
        {
            throw new InvalidOperationException($"context budget {budget} for the active document is smaller than its header and markers ({fixedCount} tokens)");
        }

        ReadOnlyMemory<int> suffix = ReadOnlyMemory<int>.Empty;
        if (layout != FimLayout.PrefixOnly && suffixLines > 0)
        {
            int cap = Math.Min((int)(budget * PlanShares.Suffix), budget - fixedCount);
            int end = SuffixEnd(doc, text, cursor, suffixLines, Math.Max(MinSuffixChars, cap * SuffixCharsPerToken));
            int[] tokens = doc.Suffix.Get(tokenizer, text[cursor..end]);
            suffix = tokens.AsMemory(0, Math.Min(tokens.Length, cap));
        }

        int prefixBudget = budget - fixedCount - suffix.Length;
        // A large document has tokens for a slice only (the cursor lies well inside it): the prefix
        // starts in it, and the line start is looked for only there (the line may be 20 MB long).
        int sliceStart = seg.SliceStart;
        doc.PrefixStart = Math.Max(doc.PrefixStart, sliceStart);
        int lineStart = sliceStart + text[sliceStart..cursor].LastIndexOf('\n') + 1;
        int t = seg.BoundaryAtOrBefore(split ? StickyMiddleStart(doc, text, lineStart, cursor, prefixBudget / 4) : cursor);
        (int s, int bodyEnd, int[] tail) = Prefix(doc, tokenizer, doc.PrefixStart, t, cursor);
        if (doc.PrefixStart > cursor || bodyEnd - s + tail.Length > prefixBudget)
        {
            doc.PrefixStart = ChoosePrefixStart(seg, text, cursor, t, (prefixBudget * 3 / 4) - tail.Length, settings.PrefixChunkLines);
            (s, bodyEnd, tail) = Prefix(doc, tokenizer, doc.PrefixStart, t, cursor);
            if (bodyEnd - s + tail.Length > prefixBudget)
            {
                // One enormous line: cut the prefix by tokens, at a character boundary, to three
                // quarters of its budget as a line start would be chosen, so that typing goes on
                // for a quarter of the budget before the start moves (and the prefix is re-decoded).
                s = Math.Max(s, bodyEnd - Math.Max(0, (prefixBudget * 3 / 4) - tail.Length));
                while (s < bodyEnd && seg.StartsMidChar(s))
                {
                    s++;
                }

                doc.PrefixStart = seg.CharStart(s);
                tail = tail.Length <= prefixBudget ? tail : tail[^prefixBudget..];
            }
        }

        int lineToken = Math.Clamp(seg.TokenAtChar(lineStart), s, bodyEnd);
        int count = fixedCount + suffix.Length + (bodyEnd - s) + tail.Length;
        return new ActiveLayout(count, s, bodyEnd, tail, suffix, lineToken, split);
    }

    /// <summary>
    /// The suffix window holds at most this many chars per token of its budget (and at least
    /// <see cref="MinSuffixChars"/>): its lines may be one line of megabytes (minified code), and
    /// tokenizing all of it only to keep its first tokens would cost seconds on every cursor move.
    /// </summary>
    internal const int SuffixCharsPerToken = 16;

    internal const int MinSuffixChars = 4096;

    /// <summary>On a long line, the run after the middle marker starts at a multiple of this many chars.</summary>
    public const int MaxMiddleChars = 256;

    /// <summary>Most line breaks the text after the middle marker may hold before the split moves to the cursor's line.</summary>
    public const int MaxMiddleLines = 8;

    /// <summary>
    /// The split stays where it was while the cursor goes on from there: typing Enter at the end of
    /// a line then changes only the text after the middle marker (the suffix after the cursor is
    /// the same), instead of moving the split and re-decoding the suffix window on every new line.
    /// It moves to the cursor's line once the text after the marker holds more than
    /// <see cref="MaxMiddleLines"/> line breaks or more than <see cref="MaxMiddleChars"/> × 2 chars
    /// (fewer when the prefix budget is small: a quarter of it), when the cursor goes above it, or
    /// when the prefix would start after it.
    /// </summary>
    private static int StickyMiddleStart(DocumentState doc, ReadOnlySpan<char> text, int lineStart, int cursor, int maxChars)
    {
        int fresh = MiddleStart(lineStart, cursor);
        int kept = doc.MiddleStart;
        bool keep = kept >= 0 && kept <= fresh && kept >= doc.PrefixStart
            && cursor - kept <= Math.Min(2 * MaxMiddleChars, maxChars)
            && (kept == 0 || text[kept - 1] == '\n')
            && text[kept..cursor].Count('\n') <= MaxMiddleLines;
        doc.MiddleStart = keep ? kept : fresh;
        return doc.MiddleStart;
    }

    /// <summary>
    /// Where the text after the middle marker starts: the cursor's line start, or on a very long line
    /// (minified code) the last multiple of <see cref="MaxMiddleChars"/> past it, so the run after the
    /// marker stays short and stays put while the user types.
    /// </summary>
    private static int MiddleStart(int lineStart, int cursor) =>
        lineStart + ((cursor - lineStart) / MaxMiddleChars * MaxMiddleChars);

    /// <summary>Document tokens from the first boundary at or after <paramref name="start"/> to boundary t, then the tail to the cursor.</summary>
    private static (int BodyStart, int BodyEnd, int[] Tail) Prefix(DocumentState doc, ITokenizer tokenizer, int start, int t, int cursor)
    {
        SegmentTokens seg = doc.Tokens;
        start = Math.Min(start, cursor);
        int s = seg.BoundaryAtOrAfter(start);
        if (s >= t || seg.CharStart(s) > cursor)
        {
            return (s, s, doc.Tail.Get(tokenizer, seg.Text[start..cursor]));
        }

        return (s, t, doc.Tail.Get(tokenizer, seg.Text[seg.CharStart(t)..cursor]));
    }

    /// <summary>
    /// The first line that is a multiple of <paramref name="chunkLines"/> from which the prefix fits in
    /// three quarters of its budget (<paramref name="target"/> body tokens), so that it keeps fitting while the user types.
    /// </summary>
    private static int ChoosePrefixStart(SegmentTokens seg, ReadOnlySpan<char> text, int cursor, int t, int target, int chunkLines)
    {
        int pos = seg.SliceStart, line = 0, best = -1;
        while (pos <= cursor)
        {
            if (line % chunkLines == 0 && t - seg.BoundaryAtOrAfter(pos) <= target)
            {
                best = pos;
                break;
            }

            int next = text[pos..cursor].IndexOf('\n');
            if (next < 0)
            {
                break;
            }

            pos += next + 1;
            line++;
        }

        return best >= 0 ? best : pos;
    }

    /// <summary>
    /// The end of the suffix window: after <paramref name="lines"/> more lines past the cursor's line.
    /// It stays where it is while it keeps between half and one and a half windows, so typing newlines
    /// does not move it every time (in SPM a moving suffix end would re-decode the whole prefix).
    /// A window longer than <paramref name="maxChars"/> ends there (at a char boundary) instead.
    /// </summary>
    private static int SuffixEnd(DocumentState doc, ReadOnlySpan<char> text, int cursor, int lines, int maxChars)
    {
        int end = doc.SuffixEnd;
        if (end >= cursor && end <= text.Length && end - cursor <= maxChars && (end == text.Length || (end > 0 && text[end - 1] == '\n')))
        {
            int count = text[cursor..end].Count('\n');
            if (count <= lines + lines / 2 + 1 && (count >= lines / 2 + 1 || end == text.Length))
            {
                return end;
            }
        }

        int limit = Math.Min(text.Length, cursor + maxChars);
        end = cursor;
        for (int n = 0; n <= lines; n++)
        {
            int next = text[end..limit].IndexOf('\n');
            if (next < 0)
            {
                end = limit;
                break;
            }

            end += next + 1;
        }

        if (end < text.Length && char.IsLowSurrogate(text[end]))
        {
            end--;
        }

        doc.SuffixEnd = end;
        return end;
    }
}
