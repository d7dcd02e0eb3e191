using LspLlama.Core.Documents;
using Xunit;

namespace LspLlama.Core.Tests.Documents;

public sealed class PositionMathTests
{
    // "é" spelled as e + U+0301 (combining acute), then an emoji outside the BMP (a surrogate pair).
    private const string Mixed = "ae\u0301\U0001F600z\r\n\r\nx\ry\n";

    [Theory]
    [InlineData(PositionEncoding.Utf16, 0, 5, 5)] // after the emoji: a, e, U+0301, high, low
    [InlineData(PositionEncoding.Utf8, 0, 8, 5)] // 1 + 1 + 2 + 4 bytes
    [InlineData(PositionEncoding.Utf32, 0, 4, 5)] // 4 code points
    [InlineData(PositionEncoding.Utf16, 0, 6, 6)] // end of line 0, before CRLF
    [InlineData(PositionEncoding.Utf16, 1, 0, 8)] // empty line between two CRLFs
    [InlineData(PositionEncoding.Utf16, 2, 1, 11)] // x|\r
    [InlineData(PositionEncoding.Utf16, 3, 0, 12)] // lone CR ends a line
    [InlineData(PositionEncoding.Utf16, 4, 0, 14)] // the empty last line after the final LF
    public void Converts_positions_to_offsets(PositionEncoding encoding, int line, int character, int offset)
    {
        TextDocument document = Open(Mixed);
        Assert.Equal(offset, document.OffsetAt(new TextPosition(line, character), encoding));
        Assert.Equal(new TextPosition(line, character), document.PositionAt(offset, encoding));
        Assert.Equal(ReferenceText.PositionOf(Mixed, offset, encoding), document.PositionAt(offset, encoding));
    }

    [Fact]
    public void Counts_lines_like_the_protocol()
    {
        TextDocument document = Open(Mixed);
        Assert.Equal(5, document.LineCount);
        Assert.Equal(ReferenceText.LineStarts(Mixed), Enumerable.Range(0, document.LineCount).Select(document.LineStart));
        Assert.Equal(1, Open(string.Empty).LineCount);
        Assert.Equal(2, Open("\r\n").LineCount);
        Assert.Equal(3, Open("\n\r").LineCount);
    }

    [Theory]
    [InlineData(PositionEncoding.Utf16, 0, 99, 6, PositionAdjustment.PastEndOfLine)]
    [InlineData(PositionEncoding.Utf8, 0, 99, 6, PositionAdjustment.PastEndOfLine)]
    [InlineData(PositionEncoding.Utf8, 0, 5, 3, PositionAdjustment.InsideCharacter)] // inside the 4-byte emoji
    [InlineData(PositionEncoding.Utf8, 0, 3, 2, PositionAdjustment.InsideCharacter)] // inside the 2-byte mark
    [InlineData(PositionEncoding.Utf16, 5, 0, 14, PositionAdjustment.None)] // (lineCount, 0): the end, as clients send it
    [InlineData(PositionEncoding.Utf16, 5, 3, 14, PositionAdjustment.PastEndOfDocument)]
    [InlineData(PositionEncoding.Utf16, 90, 0, 14, PositionAdjustment.PastEndOfDocument)]
    [InlineData(PositionEncoding.Utf16, -1, -4, 0, PositionAdjustment.Negative)]
    public void Clamps_positions_outside_the_text(PositionEncoding encoding, int line, int character, int offset, PositionAdjustment adjustment)
    {
        GapText text = new(Mixed);
        LineIndex lines = new(text);
        Assert.Equal((offset, adjustment), PositionMath.ToOffset(text, lines, new TextPosition(line, character), encoding));
    }

    [Fact]
    public void A_utf16_position_between_two_surrogates_is_kept_exact()
    {
        // UTF-16 clients can address the middle of a pair; the server mirrors them exactly.
        TextDocument document = Open("\U0001F600");
        Assert.Equal(1, document.OffsetAt(new TextPosition(0, 1), PositionEncoding.Utf16));
    }

    private static TextDocument Open(string text)
    {
        DocumentStore store = new();
        store.Open("file:///t", "plaintext", 1, text);
        return store.Find("file:///t")!;
    }
}
