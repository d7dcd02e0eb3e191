using LspLlama.Core.Context;
using LspLlama.Core.Tokens;
using Xunit;

namespace LspLlama.Core.Tests.Context;

public sealed class SegmentTokensPropertyTests
{
    [Theory]
    [InlineData(true, 1)]
    [InlineData(true, 2)]
    [InlineData(true, 3)]
    [InlineData(false, 4)]
    [InlineData(false, 5)]
    public void RandomEditsMatchWholeTokenization(bool qwen2Style, int seed)
    {
        var tokenizer = new FakeBpeTokenizer(qwen2Style);
        SegmentPropertyCheck.Run(tokenizer, seed, documents: 12, editsPerDocument: 60);
    }

    [Theory]
    [InlineData(true, 1)]
    [InlineData(false, 2)]
    public void RandomEditsOnLongLinesMatchWholeTokenization(bool qwen2Style, int seed)
    {
        var tokenizer = new FakeBpeTokenizer(qwen2Style);
        SegmentPropertyCheck.RunLongLines(tokenizer, seed, documents: 4, editsPerDocument: 40);
    }

    [Fact]
    public void An_edit_on_a_megabyte_line_retokenizes_a_window_of_it()
    {
        // Minified JavaScript: one line, a space every few dozen chars. Before, the window reached
        // for the line breaks on both sides, so every keystroke re-tokenized the whole line.
        var tokenizer = new FakeBpeTokenizer();
        const string piece = "var q=function(e,t){return e+t};if(n&&n.x)return n.y;";
        string text = string.Concat(Enumerable.Repeat(piece, (1 << 20) / piece.Length));
        var seg = new SegmentTokens(tokenizer, text);
        long before = seg.TokenizedChars;
        int cursor = text.Length / 2;
        for (int i = 0; i < 50; i++)
        {
            seg.Apply(cursor, 0, i % 7 == 6 ? " " : ((char)('a' + (i % 26))).ToString());
            cursor++;
        }

        long perEdit = (seg.TokenizedChars - before) / 50;
        Assert.True(perEdit < 4 * 4096, $"re-tokenized {perEdit} chars per keystroke of a {text.Length}-char line");
        Assert.Equal(tokenizer.Tokenize(seg.GetText()), seg.Tokens.ToArray());
    }

    [Fact]
    public void A_line_of_base64_is_cut_where_a_digit_follows_a_letter()
    {
        var tokenizer = new FakeBpeTokenizer(qwen2Style: false);
        var rng = new Random(3);
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        string text = "data:" + new string([.. Enumerable.Range(0, 300_000).Select(_ => alphabet[rng.Next(alphabet.Length)])]);
        var seg = new SegmentTokens(tokenizer, text);
        long before = seg.TokenizedChars;
        seg.Apply(150_000, 3, "Zz9");
        Assert.True(seg.TokenizedChars - before < 4 * 4096, $"re-tokenized {seg.TokenizedChars - before} chars of a {text.Length}-char line");
        Assert.Equal(tokenizer.Tokenize(seg.GetText()), seg.Tokens.ToArray());
    }

    [Fact]
    public void EditsOnlyRetokenizeAWindow()
    {
        var tokenizer = new FakeBpeTokenizer();
        var rng = new Random(7);
        string text = string.Concat(Enumerable.Range(0, 400).Select(i => $"    int value{i} = Compute({i}, \"é{i}\");\r\n"));
        var seg = new SegmentTokens(tokenizer, text);
        long before = seg.TokenizedChars;
        int cursor = text.Length / 2;
        for (int i = 0; i < 200; i++)
        {
            string typed = ((char)('a' + rng.Next(26))).ToString();
            seg.Apply(cursor, 0, typed);
            cursor++;
        }

        long perEdit = (seg.TokenizedChars - before) / 200;
        Assert.True(perEdit < 400, $"re-tokenized {perEdit} chars per keystroke of a {text.Length}-char text");
        Assert.Equal(tokenizer.Tokenize(seg.GetText()), seg.Tokens.ToArray());
    }
}

/// <summary>The shared property: after every random edit, incremental tokens, spans and the first changed token are exact.</summary>
internal static class SegmentPropertyCheck
{
    public static void Run(ITokenizer tokenizer, int seed, int documents, int editsPerDocument)
    {
        var rng = new Random(seed);
        for (int d = 0; d < documents; d++)
        {
            string text = RandomText.Document(rng, rng.Next(0, 300));
            var seg = new SegmentTokens(tokenizer, text);
            AssertExact(tokenizer, seg, text, $"seed {seed} doc {d} initial");
            EditAndCompare(tokenizer, rng, seg, text, editsPerDocument, $"seed {seed} doc {d}");
        }
    }

    /// <summary>The same on lines longer than the separator search reaches (20,000 chars, a line break in a few).</summary>
    public static void RunLongLines(ITokenizer tokenizer, int seed, int documents, int editsPerDocument)
    {
        var rng = new Random(seed);
        for (int d = 0; d < documents; d++)
        {
            string text = RandomText.LongLine(rng, 20_000, breaks: d % 2 == 1);
            EditAndCompare(tokenizer, rng, new SegmentTokens(tokenizer, text), text, editsPerDocument, $"long lines, seed {seed} doc {d}");
        }
    }

    /// <summary>Random edits applied to <paramref name="seg"/>; after each, tokens, spans and the first changed token are exact.</summary>
    private static void EditAndCompare(ITokenizer tokenizer, Random rng, SegmentTokens seg, string text, int edits, string label)
    {
        for (int e = 0; e < edits; e++)
        {
            int[] before = seg.Tokens.ToArray();
            (int start, int removed, string inserted) = RandomText.Edit(rng, seg.CharLength, allowSplitPairs: true);
            text = text.Remove(start, removed).Insert(start, inserted);
            int first = seg.Apply(start, removed, inserted);
            string where = $"{label} edit {e}: [{start},+{removed}) <- {Show(inserted)}";
            AssertExact(tokenizer, seg, text, where);
            Assert.True(BruteFirstDifference(before, seg.Tokens) == first, $"{where}: first changed token {first}, brute force {BruteFirstDifference(before, seg.Tokens)}");
        }
    }

    public static int BruteFirstDifference(ReadOnlySpan<int> a, ReadOnlySpan<int> b)
    {
        int n = Math.Min(a.Length, b.Length);
        for (int i = 0; i < n; i++)
        {
            if (a[i] != b[i])
            {
                return i;
            }
        }

        return a.Length == b.Length ? b.Length : n;
    }

    private static void AssertExact(ITokenizer tokenizer, SegmentTokens seg, string text, string where)
    {
        Assert.True(text == seg.GetText(), $"{where}: text differs");
        int[] whole = tokenizer.Tokenize(text);
        int[] inc = seg.Tokens.ToArray();
        if (!whole.AsSpan().SequenceEqual(inc))
        {
            int at = BruteFirstDifference(whole, inc);
            Assert.Fail($"{where}: tokens differ at {at} of {whole.Length}/{inc.Length}; text {Show(text)}");
        }

        var fresh = new SegmentTokens(tokenizer, text);
        for (int i = 0; i < seg.Count; i++)
        {
            Assert.True(fresh.ByteStart(i) == seg.ByteStart(i) && fresh.CharStart(i) == seg.CharStart(i) && fresh.StartsMidChar(i) == seg.StartsMidChar(i),
                $"{where}: span of token {i} differs");
        }

        Assert.Equal(fresh.ByteLength, seg.ByteLength);
    }

    private static string Show(string s) => s.Length > 400 ? $"({s.Length} chars)" : System.Text.Json.JsonSerializer.Serialize(s);
}
