namespace LspLlama.Core.Context;

/// <summary>
/// Where an edit's re-tokenized window may end when the line breaks are far away: minified code and
/// generated files put megabytes on one line, and a window that reaches for the next line break
/// re-tokenizes all of it on every keystroke. Within <see cref="Reach"/> chars a line break is the
/// separator, as everywhere; past it, on a longer line, the separator is a position where every
/// pre-tokenizer the project meets (GPT-2, Qwen2, Llama-3, StarCoder, DeepSeek-Coder patterns)
/// starts a new pre-token: a single space between two non-space chars (" foo" is a pre-token that
/// starts with its space, and none holds a space followed by more), else a digit after an ASCII
/// letter (letters and digits never share a pre-token). The window's checks on both sides still
/// decide, and widen it when a tokenizer merges across one anyway.
/// </summary>
internal static class LongLines
{
    /// <summary>How far a separator is looked for; a line shorter than this behaves as before.</summary>
    public const int Reach = 4096;

    /// <summary>
    /// The last separator before <paramref name="end"/>: a line break within <see cref="Reach"/>, or
    /// on a longer line a pre-token start (<see cref="LongLines"/>); -1 when none is in reach and the
    /// text's start is (the window then starts there, at most <see cref="Reach"/> chars back) or when
    /// nothing is found at all.
    /// </summary>
    public static int PreviousBreak(ReadOnlySpan<char> text, int end)
    {
        int from = Math.Max(0, end - Reach);
        int br = text[from..end].LastIndexOf('\n');
        if (br >= 0)
        {
            return from + br;
        }

        if (from == 0)
        {
            return -1;
        }

        for (int i = end - 1; i > from; i--)
        {
            if (StartsPreToken(text, i))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The first separator at or after <paramref name="start"/>, as <see cref="PreviousBreak"/> finds them; -1 when none.</summary>
    public static int NextBreak(ReadOnlySpan<char> text, int start)
    {
        if (start >= text.Length)
        {
            return -1;
        }

        int to = Math.Min(text.Length, start + Reach);
        int br = text[start..to].IndexOf('\n');
        if (br >= 0)
        {
            return start + br;
        }

        if (to == text.Length)
        {
            return -1;
        }

        for (int i = Math.Max(start, 1); i < to - 1; i++)
        {
            if (StartsPreToken(text, i))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Where the window starts for a separator at <paramref name="separator"/>: the start of the line before it when that is in reach, else the separator.</summary>
    public static int WindowStart(ReadOnlySpan<char> text, int separator)
    {
        int from = Math.Max(0, separator - Reach);
        int br = text[from..separator].LastIndexOf('\n');
        return br >= 0 ? from + br + 1 : from == 0 ? 0 : separator;
    }

    private static bool StartsPreToken(ReadOnlySpan<char> text, int i)
    {
        char c = text[i];
        char before = text[i - 1];
        if (c == ' ')
        {
            return i + 1 < text.Length && !Utf8Walk.IsWhiteSpace(before) && !Utf8Walk.IsWhiteSpace(text[i + 1]);
        }

        return char.IsAsciiDigit(c) && char.IsAsciiLetter(before);
    }
}
