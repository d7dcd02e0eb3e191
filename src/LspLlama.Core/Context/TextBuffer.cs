namespace LspLlama.Core.Context;

/// <summary>
/// A document's text as a growable UTF-16 buffer. Edits move the tail in place instead of
/// building a new string per keystroke, so a keystroke allocates nothing for large files.
/// </summary>
public sealed class TextBuffer
{
    private char[] _chars;

    public TextBuffer(string text)
    {
        _chars = new char[Math.Max(16, text.Length * 5 / 4)];
        text.CopyTo(_chars);
        Length = text.Length;
    }

    public int Length { get; private set; }

    public ReadOnlySpan<char> Span => _chars.AsSpan(0, Length);

    public char this[int index] => _chars[index];

    public string Substring(int start, int length) => new(_chars, start, length);

    public override string ToString() => new(_chars, 0, Length);

    /// <summary>Replaces <paramref name="removed"/> chars at <paramref name="start"/> with <paramref name="inserted"/>.</summary>
    public void Replace(int start, int removed, ReadOnlySpan<char> inserted)
    {
        int newLength = Length - removed + inserted.Length;
        if (newLength > _chars.Length)
        {
            char[] grown = new char[Math.Max(newLength, _chars.Length * 2)];
            _chars.AsSpan(0, Length).CopyTo(grown);
            _chars = grown;
        }

        int tail = Length - start - removed;
        _chars.AsSpan(start + removed, tail).CopyTo(_chars.AsSpan(start + inserted.Length, tail));
        inserted.CopyTo(_chars.AsSpan(start));
        Length = newLength;
    }
}
