namespace LspLlama.Core.Documents;

/// <summary>
/// Keeps document text valid UTF-16. A lone surrogate (which JSON can carry as an escape, and
/// which no tokenizer can encode) becomes U+FFFD: the same UTF-16 length, so client positions
/// stay in step with the server's copy.
/// </summary>
public static class TextSanitizer
{
    public const char Replacement = '\uFFFD';

    public static string ReplaceLoneSurrogates(string text)
    {
        int first = text.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF');
        if (first < 0)
        {
            return text;
        }

        char[]? copy = null;
        for (int i = first; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                copy ??= text.ToCharArray();
                copy[i] = Replacement;
            }
        }

        return copy is null ? text : new string(copy);
    }
}
