using System.Text;

namespace LspLlama.Core.Completion;

/// <summary>
/// Builds text from token bytes. A byte-level token may hold part of a UTF-8 character; the
/// decoder keeps those bytes until the character is complete, so the text never shows half a
/// character. Bytes still pending when generation ends are dropped, not turned into U+FFFD.
/// The text is also cleaned of what must never reach a buffer: bytes that are not UTF-8 and
/// U+FFFD itself are left out, and so are control characters other than tab and newline (a
/// random or confused model emits them; an editor would insert them raw).
/// </summary>
public sealed class Utf8TextBuilder
{
    // Invalid bytes decode to nothing instead of U+FFFD.
    private readonly Decoder _decoder = Encoding.GetEncoding(
        "utf-8", EncoderFallback.ReplacementFallback, new DecoderReplacementFallback(string.Empty)).GetDecoder();
    private readonly StringBuilder _text = new();
    private char[] _chars = new char[64];

    public int Length => _text.Length;

    public void Append(ReadOnlySpan<byte> bytes)
    {
        // At most one char per byte, plus the pending bytes of a character started earlier.
        int needed = bytes.Length + 4;
        if (_chars.Length < needed)
        {
            _chars = new char[Math.Max(needed, _chars.Length * 2)];
        }

        int count = _decoder.GetChars(bytes, _chars, flush: false);
        for (int i = 0; i < count; i++)
        {
            if (IsKept(_chars[i]))
            {
                _text.Append(_chars[i]);
            }
        }
    }

    /// <summary>Tab, newline and printable text; not C0/C1 controls, DEL, CR or U+FFFD.</summary>
    internal static bool IsKept(char c) =>
        c is '\t' or '\n' || !(char.IsControl(c) || c == '\uFFFD');

    public override string ToString() => _text.ToString();
}
