using System.Text;
using LspLlama.Core.Context;
using LspLlama.Core.Tokens;
using Xunit;

namespace LspLlama.Tests.Context;

/// <summary>
/// Random documents and edits (code, CRLF, non-ASCII, emoji, digit and space runs) and the property that
/// incremental tokens, spans and the first changed token equal those of tokenizing the whole text.
/// </summary>
internal static class EditScript
{
    private static readonly string[] s_pieces =
    [
        "public ", "static ", "int ", "return ", "if (", ") {", "}", "{", ";", "(", ")", " = ", "foo", "bar", "Baz", "_count",
        "x", "i++", "0", "42", "12345", "3.14", "\"text\"", "// comment", ".", ",", " ", "  ", "    ", "\t", "\n", "\n", "\r\n",
        "\n\n", "\n    ", "\r\n    ", "é", "über", "Café", "日本語", "😀", "👍🏽", "🧑‍💻", "a😀b", "'s", "don't", "ß", "Ω",
        "Привет", "ស្វាគមន៍", "Tiếng Việt", "   \n  ", "<fim_prefix>",
    ];

    public static void Check(ITokenizer tokenizer, int seed, int documents, int edits)
    {
        var rng = new Random(seed);
        for (int d = 0; d < documents; d++)
        {
            EditAndCompare(tokenizer, rng, Document(rng, rng.Next(0, 250)), edits, () => rng.Next(4) == 0 ? "" : Document(rng, rng.Next(1, 4)), $"seed {seed} doc {d}");
        }
    }

    /// <summary>The same property on lines longer than an edit's window looks for line breaks (minified code).</summary>
    public static void CheckLongLines(ITokenizer tokenizer, int seed, int documents, int edits, int chars = 12_000)
    {
        var rng = new Random(seed);
        string[] inline = [.. s_pieces.Where(p => !p.Contains('\n') && !p.Contains('\r'))];
        for (int d = 0; d < documents; d++)
        {
            var sb = new StringBuilder();
            while (sb.Length < chars)
            {
                sb.Append(inline[rng.Next(inline.Length)]);
            }

            EditAndCompare(tokenizer, rng, sb.ToString(), edits, () => rng.Next(4) == 0 ? "" : inline[rng.Next(inline.Length)], $"long line, seed {seed} doc {d}");
        }
    }

    /// <summary>
    /// Random edits (texts from <paramref name="insert"/>) applied incrementally; after each, the tokens and
    /// the first changed token equal those of whole tokenization, and at the end so do the spans.
    /// </summary>
    private static void EditAndCompare(ITokenizer tokenizer, Random rng, string text, int edits, Func<string> insert, string label)
    {
        var seg = new SegmentTokens(tokenizer, text);
        for (int e = 0; e < edits; e++)
        {
            int[] before = seg.Tokens.ToArray();
            int start = rng.Next(text.Length + 1);
            while (start > 0 && start < text.Length && char.IsLowSurrogate(text[start]))
            {
                start--;
            }

            int removed = rng.Next(3) == 0 ? rng.Next(Math.Min(30, text.Length - start) + 1) : 0;
            if (start + removed < text.Length && char.IsLowSurrogate(text[start + removed]))
            {
                removed++;
            }

            string inserted = insert();
            text = text.Remove(start, removed).Insert(start, inserted);
            int first = seg.Apply(start, removed, inserted);
            int[] whole = tokenizer.Tokenize(text);
            string where = $"{label} edit {e}";
            Assert.True(whole.AsSpan().SequenceEqual(seg.Tokens), $"{where}: incremental tokens differ from whole tokenization");
            Assert.True(FirstDifference(before, whole) == first, $"{where}: first changed {first}, brute force {FirstDifference(before, whole)}");
        }

        var fresh = new SegmentTokens(tokenizer, text);
        for (int i = 0; i < seg.Count; i++)
        {
            Assert.True(fresh.ByteStart(i) == seg.ByteStart(i) && fresh.CharStart(i) == seg.CharStart(i), $"{label}: span {i}");
        }
    }

    public static string Document(Random rng, int pieces)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < pieces; i++)
        {
            sb.Append(s_pieces[rng.Next(s_pieces.Length)]);
        }

        return sb.ToString();
    }

    public static int FirstDifference(ReadOnlySpan<int> a, ReadOnlySpan<int> b)
    {
        int n = a.CommonPrefixLength(b);
        return n;
    }
}
