using System.Text;
using LspLlama.Core.Documents;

namespace LspLlama.Core.Tests.Documents;

/// <summary>
/// A deliberately naive model of LSP text positions over a plain string, written independently of
/// <see cref="PositionMath"/> so that the two can check each other.
/// </summary>
internal static class ReferenceText
{
    /// <summary>Every line start, scanning the string once (LF, CRLF and lone CR end lines).</summary>
    public static List<int> LineStarts(string text)
    {
        List<int> starts = [0];
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
            {
                starts.Add(i + 2);
                i++;
            }
            else if (text[i] is '\r' or '\n')
            {
                starts.Add(i + 1);
            }
        }

        return starts;
    }

    /// <summary>The position of a UTF-16 offset that sits on a code point boundary.</summary>
    public static TextPosition PositionOf(string text, int offset, PositionEncoding encoding)
    {
        List<int> starts = LineStarts(text);
        int line = starts.FindLastIndex(s => s <= offset);
        string prefix = text[starts[line]..offset];
        int character = encoding switch
        {
            PositionEncoding.Utf16 => prefix.Length,
            PositionEncoding.Utf8 => Encoding.UTF8.GetByteCount(prefix),
            _ => prefix.EnumerateRunes().Count(),
        };
        return new TextPosition(line, character);
    }

    /// <summary>Offsets that do not split a surrogate pair.</summary>
    public static bool IsBoundary(string text, int offset) =>
        offset <= 0 || offset >= text.Length || !(char.IsHighSurrogate(text[offset - 1]) && char.IsLowSurrogate(text[offset]));
}
