using System.Text;
using LspLlama.Core.Tokens;

namespace LspLlama.Core.Context;

/// <summary>
/// One document's text and its tokens, each token with its span (UTF-8 byte start, and the UTF-16
/// offset of the code point its first byte belongs to). An edit re-tokenizes a window around the
/// change and splices it in; the result is the same as tokenizing the whole text again.
/// </summary>
/// <remarks>
/// Why windows are safe: BPE tokenizers split text into pre-tokens with a regex before merging, and
/// no pre-token of the GPT-2, Qwen2, StarCoder or DeepSeek-Coder patterns holds a line break followed
/// later by a non-space character. So a window that starts at least one such "line break, then
/// content" before the edit cannot change the tokens before it, and past one after the edit the
/// tokenization realigns with the old one. Both sides are checked against the old tokens (the left
/// side must reproduce them, the right side must realign for a run of tokens); when a check fails,
/// the window widens, in the end to the whole text.
/// A document far larger than the plan could ever use (a 20 MB minified bundle) keeps its whole
/// text but tokens only for a slice of it around the cursor (<see cref="Focus"/>, in
/// SegmentTokens.Slice.cs): the tokens are then those of the slice's text on its own, and every
/// offset in and out stays a document offset.
/// </remarks>
public sealed partial class SegmentTokens
{
    /// <summary>Tokens that must match after the realignment point before it is trusted.</summary>
    private const int RealignRun = 3;

    /// <summary>Window tokens at the cut end that may differ only because the window ends there.</summary>
    private const int TailMargin = 2;

    /// <summary>Separators ("line break, then content") kept on each side at the first try; doubles per retry.</summary>
    private const int MaxLevel = 3;

    private readonly ITokenizer _tokenizer;
    private readonly TextBuffer _text;

    /// <summary>Where the tokenized slice of the text starts, and its length (the whole text unless sliced).</summary>
    private int _sliceStart;
    private int _sliceLength;

    // Token spans below are relative to the slice's start: an edit before the slice moves only it.
    private int[] _ids = [];
    private int[] _byteStart = [];
    private int[] _charStart = [];
    private bool[] _midChar = [];

    /// <summary>Tokens for the whole text, whatever its size.</summary>
    public SegmentTokens(ITokenizer tokenizer, string text)
        : this(tokenizer, text, sliceChars: 0)
    {
    }

    /// <summary>
    /// Tokens for the whole text while it is at most twice <paramref name="sliceChars"/> long, else
    /// for a slice of about <paramref name="sliceChars"/> around the cursor (0: never sliced).
    /// </summary>
    public SegmentTokens(ITokenizer tokenizer, string text, int sliceChars)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sliceChars);
        _tokenizer = tokenizer;
        _text = new TextBuffer(text);
        _sliceChars = sliceChars;
        Reslice(WantsWhole() ? (0, text.Length) : SliceAround(0));
    }

    public int Count { get; private set; }

    public int ByteLength { get; private set; }

    /// <summary>The document's length in chars (the whole text, sliced or not).</summary>
    public int CharLength => _text.Length;

    /// <summary>The slice's tokens: the tokenization of the text from <see cref="SliceStart"/> to <see cref="SliceEnd"/>.</summary>
    public ReadOnlySpan<int> Tokens => _ids.AsSpan(0, Count);

    /// <summary>Where the tokens start in the text (0 unless the document is sliced).</summary>
    public int SliceStart => _sliceStart;

    /// <summary>Where the tokens end in the text (its length unless the document is sliced).</summary>
    public int SliceEnd => _sliceStart + _sliceLength;

    /// <summary>Only a slice of the text has tokens.</summary>
    public bool IsSliced => _sliceLength != _text.Length;

    /// <summary>The text the tokens spell.</summary>
    public ReadOnlySpan<char> TokenizedText => SliceText;

    private ReadOnlySpan<char> SliceText => _text.Span.Slice(_sliceStart, _sliceLength);

    public ReadOnlySpan<char> Text => _text.Span;

    /// <summary>Increments on every edit.</summary>
    public int Version { get; private set; }

    /// <summary>Characters handed to the tokenizer so far (the whole text once, then only windows).</summary>
    public long TokenizedChars { get; private set; }

    /// <summary>UTF-8 offset of the token's first byte in the tokenized text (its byte length past the end).</summary>
    public int ByteStart(int token) => token < Count ? _byteStart[token] : ByteLength;

    /// <summary>UTF-16 offset of the code point holding the token's first byte (<see cref="SliceEnd"/> past the end).</summary>
    public int CharStart(int token) => _sliceStart + LocalCharStart(token);

    private int LocalCharStart(int token) => token < Count ? _charStart[token] : _sliceLength;

    /// <summary>True when the token starts inside a multi-byte character (a byte-level token split it).</summary>
    public bool StartsMidChar(int token) => token < Count && _midChar[token];

    public string GetText() => _text.ToString();

    /// <summary>Index of the last token that starts at or before <paramref name="charOffset"/> (0 when none).</summary>
    public int TokenAtChar(int charOffset) => LocalTokenAtChar(charOffset - _sliceStart);

    /// <summary>The last token boundary at or before <paramref name="charOffset"/> that lies on a code point boundary.</summary>
    public int BoundaryAtOrBefore(int charOffset) => LocalBoundaryAtOrBefore(charOffset - _sliceStart);

    /// <summary>The first token boundary at or after <paramref name="charOffset"/> that lies on a code point boundary.</summary>
    public int BoundaryAtOrAfter(int charOffset) => LocalBoundaryAtOrAfter(charOffset - _sliceStart);

    private int LocalTokenAtChar(int charOffset)
    {
        int lo = 0, hi = Count - 1, found = 0;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_charStart[mid] <= charOffset)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return found;
    }

    private int LocalBoundaryAtOrBefore(int charOffset)
    {
        if (charOffset >= _sliceLength)
        {
            return Count;
        }

        int i = LocalTokenAtChar(charOffset);
        while (i > 0 && (_midChar[i] || _charStart[i] > charOffset))
        {
            i--;
        }

        return i;
    }

    private int LocalBoundaryAtOrAfter(int charOffset)
    {
        int i = LocalTokenAtChar(charOffset);
        while (i < Count && (_midChar[i] || _charStart[i] < charOffset))
        {
            i++;
        }

        return i;
    }

    /// <summary>
    /// Replaces <paramref name="removed"/> chars at <paramref name="start"/> with <paramref name="inserted"/>
    /// and returns the index of the first token whose id changed (<see cref="Count"/> when none did).
    /// </summary>
    public int Apply(int start, int removed, string inserted)
    {
        if (start < 0 || removed < 0 || start > _text.Length || removed > _text.Length - start)
        {
            throw new ArgumentOutOfRangeException(
                nameof(start), $"edit [{start}, +{removed}) is outside the text (length {_text.Length})");
        }

        Version++;
        int charDelta = inserted.Length - removed;
        int sliceEnd = SliceEnd;
        bool inside = start >= _sliceStart && start + removed <= sliceEnd;
        bool outgrows = inside && _sliceChars > 0 && _sliceLength + charDelta > 2L * _sliceChars;
        bool wasWhole = !IsSliced;
        _text.Replace(start, removed, inserted);
        if (inside && !outgrows)
        {
            _sliceLength += charDelta;
            return ApplyInSlice(start - _sliceStart, removed, inserted);
        }

        if (!inside && start + removed <= _sliceStart)
        {
            _sliceStart += charDelta; // Before the slice: its text, and so its tokens, only moved.
            return Count;
        }

        if (!inside && start >= sliceEnd)
        {
            return Count;
        }

        // Across the slice's edge, or a paste that makes it too large: a new slice where the edit ends.
        return Reslice(WantsWhole(wasWhole) ? (0, _text.Length) : SliceAround(start + inserted.Length));
    }

    /// <summary>The edit, in slice coordinates, on a text already changed: re-tokenizes a window and splices.</summary>
    private int ApplyInSlice(int start, int removed, string inserted)
    {
        int charDelta = inserted.Length - removed;
        int editEndNew = start + inserted.Length;

        for (int leftLevel = 0, rightLevel = 0; ;)
        {
            (int a, int verifyChar) = LeftWindow(start, leftLevel);
            (int b, int alignChar) = RightWindow(editEndNew, charDelta, rightLevel);
            // Before the edit old and new coordinates agree; a == Count only for an empty token list.
            int winCharStart = a < Count ? _charStart[a] : _sliceLength - charDelta;
            int winCharEndNew = b < Count ? _charStart[b] + charDelta : _sliceLength;
            string window = _text.Substring(_sliceStart + winCharStart, winCharEndNew - winCharStart);
            int[] ids = _tokenizer.Tokenize(window);
            TokenizedChars += window.Length;
            int[] nb = new int[ids.Length];
            int[] nc = new int[ids.Length];
            bool[] nm = new bool[ids.Length];
            int winByteStart = ByteStart(a);
            (int winBytesNew, _) = Spans(window, ids, winByteStart, winCharStart, nb, nc, nm);
            int byteDelta = winBytesNew - (ByteStart(b) - winByteStart);

            if (leftLevel <= MaxLevel && a > 0 && !LeftMatches(a, verifyChar, ids, nb))
            {
                leftLevel = leftLevel < MaxLevel ? leftLevel + 1 : int.MaxValue;
                continue;
            }

            int j, k;
            if (b >= Count)
            {
                (j, k) = (ids.Length, Count - a);
            }
            else if (!Realign(a, b, alignChar, byteDelta, ids, nb, nc, nm, out j, out k))
            {
                rightLevel = rightLevel < MaxLevel ? rightLevel + 1 : int.MaxValue;
                continue;
            }

            int first = FirstDifference(a, ids, j, k);
            Splice(a, k, ids, nb, nc, nm, j, charDelta, byteDelta);
            ByteLength += byteDelta;
            return first;
        }
    }

    /// <summary>First index where the spliced sequence differs from the current one (Count when equal).</summary>
    private int FirstDifference(int a, int[] ids, int j, int k)
    {
        int common = Math.Min(j, k);
        for (int i = 0; i < common; i++)
        {
            if (ids[i] != _ids[a + i])
            {
                return a + i;
            }
        }

        int newCount = Count - k + j;
        if (j == k)
        {
            return Count;
        }

        // Past the shorter side the new sequence reads from the window (if j > k) or from the old tail.
        int x = a + common;
        int limit = Math.Min(newCount, Count);
        for (; x < limit; x++)
        {
            int newId = x < a + j ? ids[x - a] : _ids[x - j + k];
            if (newId != _ids[x])
            {
                return x;
            }
        }

        return limit;
    }

    private void Splice(int a, int k, int[] ids, int[] nb, int[] nc, bool[] nm, int j, int charDelta, int byteDelta)
    {
        int tailStart = a + k;
        int tailCount = Count - tailStart;
        int newCount = a + j + tailCount;
        EnsureCapacity(newCount);
        if (j != k)
        {
            Array.Copy(_ids, tailStart, _ids, a + j, tailCount);
            Array.Copy(_byteStart, tailStart, _byteStart, a + j, tailCount);
            Array.Copy(_charStart, tailStart, _charStart, a + j, tailCount);
            Array.Copy(_midChar, tailStart, _midChar, a + j, tailCount);
        }

        Array.Copy(ids, 0, _ids, a, j);
        Array.Copy(nb, 0, _byteStart, a, j);
        Array.Copy(nc, 0, _charStart, a, j);
        Array.Copy(nm, 0, _midChar, a, j);
        if (charDelta != 0 || byteDelta != 0)
        {
            for (int i = a + j; i < newCount; i++)
            {
                _byteStart[i] += byteDelta;
                _charStart[i] += charDelta;
            }
        }

        Count = newCount;
    }

    private void EnsureCapacity(int n)
    {
        if (n <= _ids.Length)
        {
            return;
        }

        int size = Math.Max(n, _ids.Length * 3 / 2 + 16);
        Array.Resize(ref _ids, size);
        Array.Resize(ref _byteStart, size);
        Array.Resize(ref _charStart, size);
        Array.Resize(ref _midChar, size);
    }

    /// <summary>
    /// Computes the spans of <paramref name="ids"/> over <paramref name="text"/>, offset by the given
    /// byte and char origin. Returns the total byte length; throws when the token bytes do not spell the text.
    /// </summary>
    private (int Bytes, int Chars) Spans(
        string text, int[] ids, int byteOrigin, int charOrigin, int[] byteStart, int[] charStart, bool[] midChar)
    {
        ReadOnlySpan<char> chars = text;
        int bytePos = 0, charPos = 0, charByte = 0;
        for (int t = 0; t < ids.Length; t++)
        {
            // Advance to the code point that holds bytePos.
            while (charPos < chars.Length)
            {
                (int n, int len) = Utf8Walk.CodePointAt(chars, charPos);
                if (charByte + len > bytePos)
                {
                    break;
                }

                charPos += n;
                charByte += len;
            }

            byteStart[t] = byteOrigin + bytePos;
            charStart[t] = charOrigin + charPos;
            midChar[t] = charByte != bytePos;
            bytePos += _tokenizer.TokenBytes(ids[t]).Length;
        }

        int expected = Encoding.UTF8.GetByteCount(chars);
        if (bytePos != expected)
        {
            throw new InvalidOperationException(
                $"tokenizer gave {bytePos} bytes of tokens for {expected} bytes of text; its TokenBytes must spell the text");
        }

        return (bytePos, chars.Length);
    }
}
