using System.Text;

namespace LspLlama.Core.Tests.Context;

/// <summary>Random code-like text for property tests: indentation, CRLF, non-ASCII, emoji, digit and space runs.</summary>
internal static class RandomText
{
    private static readonly string[] s_pieces =
    [
        "public ", "static ", "int ", "string ", "var ", "return ", "if (", ") {", "}", "{", ";", "(", ")", " = ", " == ",
        "foo", "bar", "Baz", "_count", "name", "value", "x", "i++", "0", "42", "12345", "3.14", "\"text\"", "'c'",
        "// comment", "/* block */", "#", "=>", "::", ".", ",", " ", "  ", "    ", "\t", "\n", "\n", "\n", "\r\n", "\r\n",
        "\n\n", "\n    ", "\n        ", "\r\n    ", "é", "über", "Café", "naïve", "日本語", "😀", "👍🏽", "🧑‍💻", "a😀b",
        "'s", "'ll", "don't", "<|fim_prefix|>", "\u00a0", "ß", "Ω", "\u200d",
    ];

    public static string Document(Random rng, int pieces)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < pieces; i++)
        {
            sb.Append(s_pieces[rng.Next(s_pieces.Length)]);
        }

        return sb.ToString();
    }

    /// <summary>One long line (minified code, generated data) of at least <paramref name="chars"/> chars, with a line break now and then when <paramref name="breaks"/>.</summary>
    public static string LongLine(Random rng, int chars, bool breaks)
    {
        string[] inline = [.. s_pieces.Where(p => !p.Contains('\n') && !p.Contains('\r'))];
        var sb = new StringBuilder();
        while (sb.Length < chars)
        {
            sb.Append(breaks && rng.Next(2000) == 0 ? "\n" : inline[rng.Next(inline.Length)]);
        }

        return sb.ToString();
    }

    /// <summary>Minified JavaScript on one line of about <paramref name="chars"/> chars.</summary>
    public static string Minified(int chars)
    {
        const string piece = "var q=function(e,t){return e+t};if(n&&n.x)return n.y;";
        return string.Concat(Enumerable.Repeat(piece, chars / piece.Length));
    }

    public static string Fragment(Random rng) => rng.Next(4) switch
    {
        0 => "",
        1 => s_pieces[rng.Next(s_pieces.Length)],
        _ => Document(rng, rng.Next(1, 6)),
    };

    /// <summary>A random edit: mostly near-cursor typing, sometimes deletions and replacements anywhere.</summary>
    public static (int Start, int Removed, string Inserted) Edit(Random rng, int length, bool allowSplitPairs)
    {
        int start = rng.Next(length + 1);
        int removed = rng.Next(3) == 0 ? rng.Next(Math.Min(40, length - start) + 1) : 0;
        string inserted = rng.Next(5) == 0 && removed > 0 ? "" : Fragment(rng);
        if (!allowSplitPairs)
        {
            // Keep edits on code point boundaries (what a well-behaved client sends).
            return (start, removed, inserted);
        }

        return (start, removed, inserted);
    }
}
