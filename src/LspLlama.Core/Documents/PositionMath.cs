namespace LspLlama.Core.Documents;

/// <summary>What had to be adjusted to turn a client position into an offset.</summary>
[Flags]
public enum PositionAdjustment
{
    None = 0,

    /// <summary>A negative line or character was raised to 0.</summary>
    Negative = 1,

    /// <summary>The character was past the end of its line: LSP says it means the line's end.</summary>
    PastEndOfLine = 2,

    /// <summary>The line was past the last line: the position means the end of the document.</summary>
    PastEndOfDocument = 4,

    /// <summary>A UTF-8 or UTF-32 offset fell inside one character: moved to that character's start.</summary>
    InsideCharacter = 8,
}

/// <summary>
/// Converts between client positions (line, character in some encoding) and UTF-16 offsets.
/// This is the only place that knows line terminators, encodings and clamping rules.
/// </summary>
public static class PositionMath
{
    public static (int Offset, PositionAdjustment Adjustment) ToOffset(
        GapText text, LineIndex lines, TextPosition position, PositionEncoding encoding)
    {
        PositionAdjustment adjustment = PositionAdjustment.None;
        int line = position.Line;
        int character = position.Character;
        if (line < 0 || character < 0)
        {
            adjustment |= PositionAdjustment.Negative;
            line = Math.Max(line, 0);
            character = Math.Max(character, 0);
        }

        if (line >= lines.Count)
        {
            // Clients address "just after the last line" as (lineCount, 0) when they delete the
            // last line; only something further out is a client error.
            if (line > lines.Count || character > 0)
            {
                adjustment |= PositionAdjustment.PastEndOfDocument;
            }

            return (text.Length, adjustment);
        }

        int start = lines[line];
        int end = ContentEnd(text, lines, line);
        if (encoding == PositionEncoding.Utf16)
        {
            if (character > end - start)
            {
                adjustment |= PositionAdjustment.PastEndOfLine;
                return (end, adjustment);
            }

            return (start + character, adjustment);
        }

        int units = 0;
        int i = start;
        while (i < end && units < character)
        {
            int width = CharWidth(text, i, end, out int unitCount, encoding);
            if (units + unitCount > character)
            {
                adjustment |= PositionAdjustment.InsideCharacter;
                return (i, adjustment);
            }

            units += unitCount;
            i += width;
        }

        if (units < character)
        {
            adjustment |= PositionAdjustment.PastEndOfLine;
        }

        return (i, adjustment);
    }

    public static TextPosition ToPosition(GapText text, LineIndex lines, int offset, PositionEncoding encoding)
    {
        offset = Math.Clamp(offset, 0, text.Length);
        int line = lines.LineOf(offset);
        int start = lines[line];
        if (encoding == PositionEncoding.Utf16)
        {
            return new TextPosition(line, offset - start);
        }

        int units = 0;
        int i = start;
        while (i < offset)
        {
            int width = CharWidth(text, i, offset, out int unitCount, encoding);
            units += unitCount;
            i += width;
        }

        return new TextPosition(line, units);
    }

    /// <summary>The offset just after the last char of <paramref name="line"/>, before its terminator.</summary>
    public static int ContentEnd(GapText text, LineIndex lines, int line)
    {
        int start = lines[line];
        if (line + 1 >= lines.Count)
        {
            return text.Length;
        }

        int end = lines[line + 1];
        if (end > start && text[end - 1] == '\n')
        {
            end--;
        }

        if (end > start && text[end - 1] == '\r')
        {
            end--;
        }

        return end;
    }

    /// <summary>
    /// The UTF-16 width of the character at <paramref name="i"/> (2 for a surrogate pair) and how
    /// many units of <paramref name="encoding"/> it counts as. A lone surrogate counts as U+FFFD would.
    /// </summary>
    private static int CharWidth(GapText text, int i, int limit, out int units, PositionEncoding encoding)
    {
        char c = text[i];
        if (char.IsHighSurrogate(c) && i + 1 < limit && char.IsLowSurrogate(text[i + 1]))
        {
            units = encoding == PositionEncoding.Utf8 ? 4 : encoding == PositionEncoding.Utf16 ? 2 : 1;
            return 2;
        }

        units = encoding switch
        {
            PositionEncoding.Utf8 => c < 0x80 ? 1 : c < 0x800 ? 2 : 3,
            _ => 1,
        };
        return 1;
    }
}
