namespace LspLlama.Core.Documents;

/// <summary>Reads a document's text on both sides of an offset (see <see cref="TextDocument.ReadAround{T}"/>).</summary>
public delegate T AroundReader<out T>(ReadOnlySpan<char> before, ReadOnlySpan<char> after, int offset);

/// <summary>
/// One open document: versioned UTF-16 text with a line index. Mutated only by
/// <see cref="DocumentStore"/>; every member takes the store's lock, so readers on other threads
/// always see the text between two edits, never in the middle of one.
/// </summary>
public sealed class TextDocument
{
    private readonly object _gate;
    private readonly GapText _text;
    private readonly LineIndex _lines;

    public TextDocument(object gate, string uri, string languageId, int version, string text)
    {
        _gate = gate;
        Uri = uri;
        LanguageId = languageId;
        Version = version;
        _text = new GapText(text);
        _lines = new LineIndex(_text);
    }

    public string Uri { get; }

    public string LanguageId { get; }

    public int Version { get; private set; }

    public int Length
    {
        get
        {
            lock (_gate)
            {
                return _text.Length;
            }
        }
    }

    public int LineCount
    {
        get
        {
            lock (_gate)
            {
                return _lines.Count;
            }
        }
    }

    public string GetText()
    {
        lock (_gate)
        {
            return _text.ToString();
        }
    }

    public string GetText(int start, int length)
    {
        lock (_gate)
        {
            return _text.GetText(start, length);
        }
    }

    /// <summary>
    /// Reads the text before and after a client position (clamped as LSP prescribes) under the
    /// document's lock, without copying it: <paramref name="read"/> gets the two halves as spans
    /// and the offset, and must not keep them (on a 20 MB file a copy per completion request was
    /// 40 MB of garbage a keystroke).
    /// </summary>
    public T ReadAround<T>(TextPosition position, PositionEncoding encoding, AroundReader<T> read)
    {
        lock (_gate)
        {
            int offset = PositionMath.ToOffset(_text, _lines, position, encoding).Offset;
            (ReadOnlyMemory<char> before, ReadOnlyMemory<char> after) = _text.SplitAt(offset);
            return read(before.Span, after.Span, offset);
        }
    }

    /// <summary>The server's text and version, read together.</summary>
    public (string Text, int Version) Snapshot()
    {
        lock (_gate)
        {
            return (_text.ToString(), Version);
        }
    }

    /// <summary>The UTF-16 offset of a client position (clamped as LSP prescribes).</summary>
    public int OffsetAt(TextPosition position, PositionEncoding encoding)
    {
        lock (_gate)
        {
            return PositionMath.ToOffset(_text, _lines, position, encoding).Offset;
        }
    }

    /// <summary>The client position of a UTF-16 offset.</summary>
    public TextPosition PositionAt(int offset, PositionEncoding encoding)
    {
        lock (_gate)
        {
            return PositionMath.ToPosition(_text, _lines, offset, encoding);
        }
    }

    /// <summary>The offset of the first char of <paramref name="line"/>.</summary>
    public int LineStart(int line)
    {
        lock (_gate)
        {
            return _lines[line];
        }
    }

    /// <summary>The line holding <paramref name="offset"/>.</summary>
    public int LineOf(int offset)
    {
        lock (_gate)
        {
            return _lines.LineOf(offset);
        }
    }

    // The members below are called by DocumentStore with its lock held.
    public GapText Text => _text;

    public LineIndex Lines => _lines;

    public void SetVersion(int version) => Version = version;

    public void Replace(int start, int removedLength, string inserted)
    {
        _text.Replace(start, removedLength, inserted);
        _lines.Update(_text, start, removedLength, inserted.Length);
    }
}
