using LspLlama.Core.Context.Formats;

namespace LspLlama.Core.Context;

/// <summary>One open document as the plan tracks it: its tokens, its place in the order and its windows.</summary>
public sealed class DocumentState(string uri, string path, SegmentTokens tokens, FileHeaders headers, long stamp)
{
    public string Uri { get; } = uri;

    public string Path { get; } = path;

    public SegmentTokens Tokens { get; } = tokens;

    /// <summary>The file's header tokens, as another file and as the active one (the format writes them).</summary>
    public FileHeaders Headers { get; } = headers;

    /// <summary>Header tokens before the file's text when it is another file (separator token and path, or a plain header).</summary>
    public int[] Header => Headers.Other;

    /// <summary>When it was last used (opened, edited, focused or left): the order key, oldest first.</summary>
    public long Stamp { get; set; } = stamp;

    /// <summary>Closed by the client and kept by the plan as context until the budget needs its room.</summary>
    public bool Closed { get; set; }

    /// <summary>Cursor as a UTF-16 offset; moved by edits, set by focus.</summary>
    public int Cursor { get; set; }

    /// <summary>Start of the prefix (0 while the document fits), kept stable across keystrokes.</summary>
    public int PrefixStart { get; set; }

    /// <summary>PSM with the cursor's line after the middle marker: where that text starts (-1: not chosen yet), kept stable across new lines.</summary>
    public int MiddleStart { get; set; } = -1;

    /// <summary>End of the suffix window (-1: not chosen yet), kept stable across keystrokes.</summary>
    public int SuffixEnd { get; set; } = -1;

    public CachedTokens Suffix { get; } = new();

    public CachedTokens Tail { get; } = new();

    /// <summary>Where the document's segment was written by the last build that included it (as another document).</summary>
    public int PlannedOffset { get; set; } = -1;

    public int PlannedVersion { get; set; } = -1;

    public long PlannedBuild { get; set; } = -1;

    /// <summary>Applies an edit to the tokens and the offsets, then keeps a large document's slice around the cursor.</summary>
    public void Edit(int start, int removed, string inserted)
    {
        Tokens.Apply(start, removed, inserted);
        ShiftAnchors(start, removed, inserted.Length);
        Tokens.Focus(Cursor);
    }

    /// <summary>Moves the stored offsets the way an edit moves the text they point into.</summary>
    public void ShiftAnchors(int start, int removed, int insertedLength)
    {
        Cursor = Shift(Cursor, start, removed, insertedLength, moveWhenAtStart: true);
        PrefixStart = Shift(PrefixStart, start, removed, insertedLength, moveWhenAtStart: false);
        if (MiddleStart >= 0)
        {
            MiddleStart = Shift(MiddleStart, start, removed, insertedLength, moveWhenAtStart: false);
        }

        if (SuffixEnd >= 0)
        {
            SuffixEnd = Shift(SuffixEnd, start, removed, insertedLength, moveWhenAtStart: true);
        }
    }

    private static int Shift(int offset, int start, int removed, int inserted, bool moveWhenAtStart)
    {
        if (offset < start || (offset == start && !moveWhenAtStart))
        {
            return offset;
        }

        // Inside the replaced range: the end of the inserted text.
        return offset >= start + removed ? offset + inserted - removed : start + inserted;
    }
}

/// <summary>Tokens of a short text that is re-tokenized only when the text changes.</summary>
public sealed class CachedTokens
{
    private char[] _text = [];
    private int _length = -1;

    public int[] Tokens { get; private set; } = [];

    public int[] Get(Tokens.ITokenizer tokenizer, ReadOnlySpan<char> text)
    {
        if (_length == text.Length && text.SequenceEqual(_text.AsSpan(0, _length)))
        {
            return Tokens;
        }

        if (_text.Length < text.Length)
        {
            _text = new char[text.Length * 2];
        }

        text.CopyTo(_text);
        _length = text.Length;
        Tokens = tokenizer.Tokenize(text.ToString());
        return Tokens;
    }
}
