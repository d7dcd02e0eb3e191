namespace LspLlama.Core.Context;

/// <summary>
/// UTF-8 lengths of UTF-16 text, the way the tokenizer sees it: a surrogate pair is one 4-byte
/// code point, a lone surrogate becomes U+FFFD (3 bytes), as <see cref="System.Text.Encoding.UTF8"/> does.
/// </summary>
public static class Utf8Walk
{
    /// <summary>Chars taken by the code point at <paramref name="i"/> (1 or 2) and its UTF-8 byte count.</summary>
    public static (int Chars, int Bytes) CodePointAt(ReadOnlySpan<char> text, int i)
    {
        char c = text[i];
        if (c < 0x80)
        {
            return (1, 1);
        }

        if (c < 0x800)
        {
            return (1, 2);
        }

        if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
        {
            return (2, 4);
        }

        return (1, 3);
    }

    /// <summary>True when a code point boundary lies before <paramref name="i"/> (not inside a surrogate pair).</summary>
    public static bool IsBoundary(ReadOnlySpan<char> text, int i) =>
        i <= 0 || i >= text.Length || !(char.IsLowSurrogate(text[i]) && char.IsHighSurrogate(text[i - 1]));

    public static bool IsWhiteSpace(char c) => c is ' ' or '\t' or '\r' or '\n' or '\f' or '\v' || (c > 0x7f && char.IsWhiteSpace(c));
}
