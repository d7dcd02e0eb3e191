using LspLlama.Core.Completion;
using Xunit;

namespace LspLlama.Core.Tests.Completion;

/// <summary>What counts as mid-line, and how the cursor's line is read.</summary>
public sealed class CursorLineTests
{
    [Theory]
    [InlineData("x = $0\n", false)]
    [InlineData("x = $0", false)]
    [InlineData("call($0)\n", false)]
    [InlineData("call($0);  \n", false)]
    [InlineData("say(\"$0\")\n", false)]
    [InlineData("List<$0>\n", false)]
    [InlineData("new[] { a, $0 },\n", false)]
    [InlineData("x = $0\r\nnext\r\n", false)]
    [InlineData("call($0) + 1\n", true)]
    [InlineData("a$0b\n", true)]
    [InlineData("obj$0.Method()\n", true)]
    [InlineData("$0return x;\n", true)]
    [InlineData("if (a $0== b)\n", true)]
    public void Text_beyond_closers_right_of_the_cursor_is_mid_line(string document, bool midLine)
    {
        Assert.Equal(midLine, CursorText.Request(document).Cursor.IsMidLine);
    }

    [Fact]
    public void The_line_is_split_at_the_cursor_and_the_next_lines_follow_without_line_breaks()
    {
        CursorLine cursor = CursorText.Request("first\r\n    x = $0 y\r\n\r\n    z\r\nw").Cursor;

        Assert.Equal("    x = ", cursor.Before);
        Assert.Equal(" y", cursor.After);
        Assert.Equal(["", "    z", "w"], cursor.NextLines);
        Assert.Equal("    z", cursor.NextNonBlankLine);
    }

    [Fact]
    public void Only_the_first_lines_after_the_cursor_are_kept()
    {
        string suffix = string.Concat(Enumerable.Repeat("\nline", 1000));
        CursorLine cursor = CursorLine.From("x", suffix);

        Assert.Equal(CursorLine.NextLineLimit, cursor.NextLines.Count);
    }

    [Theory]
    [InlineData("", 0)]
    [InlineData("    x", 4)]
    [InlineData("\tx", 4)]
    [InlineData("  \tx", 4)]
    [InlineData("\t\t  x", 10)]
    [InlineData("      ", 6)]
    public void Indentation_is_measured_in_columns(string line, int width)
    {
        Assert.Equal(width, CursorLine.IndentWidth(line, tabSize: 4));
    }

    [Theory]
    [InlineData("foo(a)", 0)]
    [InlineData("foo(a))", 1)]
    [InlineData("foo(a", 1)]
    [InlineData("\"x)\"", 0)]
    [InlineData("\"open", 1)]
    [InlineData("[(])", 2)]
    [InlineData("'\\''", 0)]
    public void Bracket_balance_counts_unpartnered_brackets_and_open_quotes(string code, int mismatches)
    {
        Assert.Equal(mismatches, BracketBalance.Mismatches(code));
    }
}

/// <summary>The cache key hash.</summary>
public sealed class TextHashTests
{
    [Fact]
    public void Equal_texts_hash_equal_and_any_one_char_change_shows()
    {
        string text = string.Concat(Enumerable.Repeat("public void F() { }\n", 50)) + "tail";
        ulong hash = TextHash.Of(text);
        Assert.Equal(hash, TextHash.Of(new string(text.AsSpan())));

        var seen = new HashSet<ulong> { hash };
        for (int i = 0; i < text.Length; i++)
        {
            char[] changed = text.ToCharArray();
            changed[i] = changed[i] == 'x' ? 'y' : 'x';
            Assert.True(seen.Add(TextHash.Of(changed)), $"collision at {i}");
        }

        Assert.True(seen.Add(TextHash.Of(text.AsSpan(0, text.Length - 1))));
        Assert.True(seen.Add(TextHash.Of(text + "\0")));
    }
}
