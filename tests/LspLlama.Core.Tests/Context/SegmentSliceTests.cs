using LspLlama.Core.Context;
using LspLlama.Core.Tokens;
using Xunit;

namespace LspLlama.Core.Tests.Context;

/// <summary>
/// A large document has tokens for a slice around the cursor only: whatever the edits and cursor
/// moves, the tokens are exactly the slice's text tokenized on its own, the first changed token is
/// exact, and the cursor stays well inside the slice.
/// </summary>
public sealed class SegmentSliceTests
{
    private const int SliceChars = 1024;

    [Theory]
    [InlineData(true, 1)]
    [InlineData(false, 2)]
    [InlineData(true, 3)]
    public void Random_edits_and_cursor_moves_keep_the_slice_exact(bool qwen2Style, int seed)
    {
        var tokenizer = new FakeBpeTokenizer(qwen2Style);
        var rng = new Random(seed);
        for (int d = 0; d < 6; d++)
        {
            string text = RandomText.Document(rng, rng.Next(300, 1500));
            Check(tokenizer, rng, text, edits: 120, $"seed {seed} doc {d}");
        }
    }

    [Theory]
    [InlineData(true, 4)]
    [InlineData(false, 5)]
    public void Random_edits_on_long_lines_keep_the_slice_exact(bool qwen2Style, int seed)
    {
        var tokenizer = new FakeBpeTokenizer(qwen2Style);
        var rng = new Random(seed);
        for (int d = 0; d < 4; d++)
        {
            Check(tokenizer, rng, RandomText.LongLine(rng, 12_000, breaks: d % 2 == 1), edits: 60, $"long line, seed {seed} doc {d}");
        }
    }

    [Fact]
    public void A_document_is_whole_until_twice_a_slice_and_whole_again_under_one_and_a_half()
    {
        var tokenizer = new FakeBpeTokenizer();
        string line = "int value = Compute(1);\n";
        string Text(int chars) => string.Concat(Enumerable.Repeat(line, chars / line.Length));
        var seg = new SegmentTokens(tokenizer, Text(2 * SliceChars - 100), SliceChars);
        Assert.False(seg.IsSliced);

        seg.Apply(0, 0, Text(200)); // now past twice a slice: sliced where the paste ends
        Assert.True(seg.IsSliced);
        Assert.Equal(tokenizer.Tokenize(seg.TokenizedText.ToString()), seg.Tokens.ToArray());

        seg.Apply(0, 300, ""); // between 1.5 and 2 slices: stays sliced
        seg.Focus(0);
        Assert.True(seg.IsSliced);

        seg.Apply(seg.SliceEnd, 600, ""); // after the slice: only the next focus sees the document is small now
        Assert.True(seg.IsSliced);
        Assert.True(seg.Focus(0));
        Assert.False(seg.IsSliced);
        Assert.Equal(tokenizer.Tokenize(seg.GetText()), seg.Tokens.ToArray());
    }

    [Fact]
    public void A_20_MB_line_is_tokenized_a_slice_at_a_time()
    {
        var tokenizer = new FakeBpeTokenizer();
        string text = RandomText.Minified(20_000_000);
        var seg = new SegmentTokens(tokenizer, text, sliceChars: 128 * 1024);
        Assert.True(seg.TokenizedChars < 256 * 1024, $"tokenized {seg.TokenizedChars} chars at open");

        long before = seg.TokenizedChars;
        seg.Focus(text.Length / 2); // a jump: one slice
        Assert.InRange(seg.TokenizedChars - before, 64 * 1024, 256 * 1024);
        Assert.InRange(text.Length / 2, seg.SliceStart + (32 * 1024), seg.SliceEnd - (32 * 1024));

        before = seg.TokenizedChars;
        int cursor = text.Length / 2;
        for (int i = 0; i < 100; i++)
        {
            seg.Apply(cursor, 0, "x");
            cursor++;
            seg.Focus(cursor);
        }

        Assert.True(seg.TokenizedChars - before < 100 * 4 * LongLines.Reach, $"{seg.TokenizedChars - before} chars for 100 keystrokes");
        seg.Apply(10, 0, "y"); // before the slice: it only moves
        Assert.Equal(tokenizer.Tokenize(seg.TokenizedText.ToString()), seg.Tokens.ToArray());
    }

    private static void Check(ITokenizer tokenizer, Random rng, string text, int edits, string label)
    {
        var seg = new SegmentTokens(tokenizer, text, SliceChars);
        int cursor = 0;
        AssertExact(tokenizer, seg, text, cursor, $"{label} initial");
        for (int e = 0; e < edits; e++)
        {
            int[] before = seg.Tokens.ToArray();
            string where;
            int first;
            if (rng.Next(4) == 0)
            {
                cursor = rng.Next(text.Length + 1);
                first = seg.Focus(cursor) ? SegmentPropertyCheck.BruteFirstDifference(before, seg.Tokens) : seg.Count;
                where = $"{label} step {e}: cursor to {cursor}";
            }
            else
            {
                (int start, int removed, string inserted) = rng.Next(3) == 0
                    ? (Math.Max(0, cursor - rng.Next(3)), 0, RandomText.Fragment(rng)) // typing at the cursor
                    : RandomText.Edit(rng, text.Length, allowSplitPairs: true);
                start = Math.Min(start, text.Length);
                text = text.Remove(start, removed).Insert(start, inserted);
                first = seg.Apply(start, removed, inserted);
                cursor = start + inserted.Length;
                where = $"{label} step {e}: [{start},+{removed}) <- {inserted.Length} chars";
                int afterApply = SegmentPropertyCheck.BruteFirstDifference(before, seg.Tokens);
                Assert.True(afterApply == first, $"{where}: first changed token {first}, brute force {afterApply}");
                AssertExact(tokenizer, seg, text, cursor: null, where); // an edit alone (a file edited where its cursor is not) is exact too
                before = seg.Tokens.ToArray();
                first = seg.Focus(cursor) ? SegmentPropertyCheck.BruteFirstDifference(before, seg.Tokens) : seg.Count;
            }

            Assert.True(SegmentPropertyCheck.BruteFirstDifference(before, seg.Tokens) == first, $"{where}: a focus that reports no change changed the tokens");
            AssertExact(tokenizer, seg, text, cursor, where);
        }
    }

    private static void AssertExact(ITokenizer tokenizer, SegmentTokens seg, string text, int? cursor, string where)
    {
        Assert.True(text == seg.GetText(), $"{where}: text differs");
        string slice = text[seg.SliceStart..seg.SliceEnd];
        Assert.True(slice.AsSpan().SequenceEqual(seg.TokenizedText), $"{where}: tokenized text is not the slice");
        var fresh = new SegmentTokens(tokenizer, slice);
        Assert.True(fresh.Tokens.SequenceEqual(seg.Tokens), $"{where}: tokens differ from the slice's own ({seg.SliceStart}..{seg.SliceEnd} of {text.Length})");
        for (int i = 0; i <= seg.Count; i++)
        {
            Assert.True(fresh.CharStart(i) + seg.SliceStart == seg.CharStart(i) && fresh.ByteStart(i) == seg.ByteStart(i) && fresh.StartsMidChar(i) == seg.StartsMidChar(i),
                $"{where}: span of token {i} differs");
        }

        if (cursor is null)
        {
            return;
        }

        if (text.Length <= 3 * SliceChars / 2)
        {
            Assert.False(seg.IsSliced, $"{where}: {text.Length} chars are sliced");
        }
        else if (text.Length > 2 * SliceChars)
        {
            Assert.True(seg.IsSliced, $"{where}: {text.Length} chars are whole");
        }

        if (seg.IsSliced)
        {
            Assert.True(seg.SliceEnd - seg.SliceStart <= (2 * SliceChars) + (2 * LongLines.Reach), $"{where}: slice of {seg.SliceEnd - seg.SliceStart} chars");
            Assert.True(seg.SliceStart == 0 || cursor - seg.SliceStart >= SliceChars / 4, $"{where}: cursor {cursor} near the slice start {seg.SliceStart}");
            Assert.True(seg.SliceEnd == text.Length || seg.SliceEnd - cursor >= SliceChars / 4, $"{where}: cursor {cursor} near the slice end {seg.SliceEnd}");
        }
    }
}
