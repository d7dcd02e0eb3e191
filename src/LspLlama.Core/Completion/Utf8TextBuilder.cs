using System.Text;

namespace LspLlama.Core.Completion;

/// <summary>
/// Builds text from token bytes. A byte-level token may hold part of a UTF-8 character; the
/// decoder keeps those bytes until the character is complete, so the text never shows half a
/// character. Bytes still pending when generation ends are dropped, not turned into U+FFFD.
/// </summary>
public sealed class Utf8TextBuilder
{
    private readonly Decoder _decoder = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false).GetDecoder();
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
        _text.Append(_chars, 0, count);
    }

    public override string ToString() => _text.ToString();
}
