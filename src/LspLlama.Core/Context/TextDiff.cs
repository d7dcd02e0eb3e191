namespace LspLlama.Core.Context;

/// <summary>The one edit between two texts, for documents whose new text arrives whole (the disk, a reopen).</summary>
public static class TextDiff
{
    /// <summary>The one edit that turns <paramref name="old"/> into <paramref name="text"/>, or null when they are equal.</summary>
    public static (int Start, int Removed, string Inserted)? DifferingSpan(string old, string text)
    {
        int head = 0;
        int max = Math.Min(old.Length, text.Length);
        while (head < max && old[head] == text[head])
        {
            head++;
        }

        int tail = 0;
        while (tail < max - head && old[old.Length - 1 - tail] == text[text.Length - 1 - tail])
        {
            tail++;
        }

        // Never split a surrogate pair: the edit must leave valid UTF-16 on both sides.
        if (head > 0 && char.IsHighSurrogate(old[head - 1]))
        {
            head--;
        }

        if (tail > 0 && char.IsLowSurrogate(old[old.Length - tail]))
        {
            tail--;
        }

        if (head == old.Length && head == text.Length)
        {
            return null;
        }

        return (head, old.Length - head - tail, text[head..(text.Length - tail)]);
    }
}
